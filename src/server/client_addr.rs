//! Which address a request comes from, for the sign-in and invitation limits.
//!
//! The portal speaks plain HTTP and runs behind a TLS-terminating reverse proxy, so the TCP peer
//! of every request is the proxy. Keyed on it, every user shared one address: thirty failures from
//! anyone answered the right password of everybody else with 429. The proxy reports the client in
//! `X-Forwarded-For` (or `Forwarded`, RFC 7239), but any client can send those headers too, so they
//! are read only when the peer is one of `PORTAL_TRUSTED_PROXIES`, and then from the right: each
//! proxy appends the address it saw, so the rightmost hop that is not a trusted proxy is the
//! first one that no trusted proxy vouches for. Everything left of it is the client's own say.
use http::HeaderMap;
use ipnet::IpNet;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::str::FromStr;

/// The networks whose `X-Forwarded-For`/`Forwarded` headers are believed (empty: none are).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    pub fn new(nets: Vec<IpNet>) -> Self {
        TrustedProxies(nets)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.0.iter().any(|n| n.contains(&ip))
    }

    /// The client of a request whose TCP peer is `peer`.
    pub fn client(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let peer = peer.to_canonical();
        if !self.contains(peer) {
            return peer;
        }
        let forwarded = hops(headers, "forwarded", forwarded_for);
        let x_forwarded = hops(headers, "x-forwarded-for", |v| {
            v.split(',').map(str::to_string).collect()
        });
        match (forwarded, x_forwarded) {
            (None, None) => peer,
            (Some(h), None) | (None, Some(h)) => self.rightmost_untrusted(peer, &h),
            // Both: a proxy sets one of them and the client may have written the other. When they
            // name the same client either will do; when they differ we cannot tell which one the
            // proxy wrote, so the request counts as the proxy's own, never as the forged address.
            (Some(a), Some(b)) => {
                let (a, b) = (
                    self.rightmost_untrusted(peer, &a),
                    self.rightmost_untrusted(peer, &b),
                );
                if a == b {
                    a
                } else {
                    peer
                }
            }
        }
    }

    /// Walks `hops` (left to right as sent, the peer after the last) from the right past trusted
    /// proxies; the first hop that is not one is the client. A hop that is not an address (`unknown`,
    /// an obfuscated name, garbage) stops the walk at the proxy that reported it. All trusted: the
    /// leftmost, the request came from inside.
    fn rightmost_untrusted(&self, peer: IpAddr, hops: &[String]) -> IpAddr {
        let mut client = peer;
        for hop in hops.iter().rev() {
            let Some(ip) = parse_hop(hop) else {
                return client;
            };
            client = ip;
            if !self.contains(ip) {
                return ip;
            }
        }
        client
    }
}

impl FromStr for TrustedProxies {
    type Err = String;

    /// A comma-separated list of CIDRs (`10.0.0.0/8, 2001:db8::/32`) or single addresses.
    fn from_str(s: &str) -> Result<Self, String> {
        let mut nets = Vec::new();
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let net = match IpNet::from_str(part) {
                Ok(n) => n,
                Err(_) => IpAddr::from_str(part)
                    .map(IpNet::from)
                    .map_err(|_| format!("{part:?} is neither an address nor a CIDR range"))?,
            };
            nets.push(net.trunc());
        }
        Ok(TrustedProxies(nets))
    }
}

/// Every value of the header `name` in order, split into hops by `split`; `None` when absent.
fn hops(headers: &HeaderMap, name: &str, split: fn(&str) -> Vec<String>) -> Option<Vec<String>> {
    let mut out = Vec::new();
    let mut any = false;
    for value in headers.get_all(name) {
        any = true;
        match value.to_str() {
            Ok(v) => out.extend(split(v)),
            // Not text: one hop that is no address.
            Err(_) => out.push(String::new()),
        }
    }
    any.then_some(out)
}

/// The `for=` of each element of a `Forwarded` value; an element without one is an unknown hop.
fn forwarded_for(value: &str) -> Vec<String> {
    value
        .split(',')
        .map(|element| {
            element
                .split(';')
                .filter_map(|pair| pair.split_once('='))
                .find(|(k, _)| k.trim().eq_ignore_ascii_case("for"))
                .map(|(_, v)| v.trim().trim_matches('"').to_string())
                .unwrap_or_default()
        })
        .collect()
}

/// A hop as proxies write it: `192.0.2.1`, `192.0.2.1:4711`, `2001:db8::1`, `[2001:db8::1]:4711`.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    let hop = hop.trim();
    if let Ok(ip) = IpAddr::from_str(hop) {
        return Some(ip.to_canonical());
    }
    if let Ok(sa) = SocketAddr::from_str(hop) {
        return Some(sa.ip().to_canonical());
    }
    let inner = hop.strip_prefix('[')?.strip_suffix(']')?;
    Ipv6Addr::from_str(inner)
        .ok()
        .map(|ip| IpAddr::V6(ip).to_canonical())
}

/// The key the per-address limits count under: an IPv4 address, or an IPv6 address's /64 (one
/// subscriber's network: counting single IPv6 addresses would give one client 2^64 fresh ones).
pub fn limit_key(ip: IpAddr) -> String {
    match ip.to_canonical() {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => {
            let s = v6.segments();
            let net = Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0);
            format!("{net}/64")
        }
    }
}

/// For requests with no TCP peer at all (in-process calls): one shared key.
pub const UNKNOWN: IpAddr = IpAddr::V4(Ipv4Addr::UNSPECIFIED);

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(
                http::HeaderName::from_str(k).unwrap(),
                http::HeaderValue::from_str(v).unwrap(),
            );
        }
        h
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn parses_cidrs_and_single_addresses() {
        let t: TrustedProxies = "10.0.0.0/8, 192.0.2.7 ,2001:db8::/32,".parse().unwrap();
        assert!(t.contains(ip("10.1.2.3")));
        assert!(t.contains(ip("192.0.2.7")));
        assert!(!t.contains(ip("192.0.2.8")));
        assert!(t.contains(ip("2001:db8:ffff::1")));
        // An IPv4 peer seen on a dual-stack socket.
        assert!(t.contains(ip("::ffff:10.9.9.9")));
        assert!("".parse::<TrustedProxies>().unwrap().is_empty());
        assert!("10.0.0.0/33".parse::<TrustedProxies>().is_err());
        assert!("proxy.example".parse::<TrustedProxies>().is_err());
    }

    #[test]
    fn headers_are_ignored_from_an_untrusted_peer() {
        let t: TrustedProxies = "10.0.0.0/8".parse().unwrap();
        let h = headers(&[
            ("x-forwarded-for", "203.0.113.9"),
            ("forwarded", "for=203.0.113.9"),
        ]);
        assert_eq!(t.client(ip("198.51.100.1"), &h), ip("198.51.100.1"));
        // No proxies configured: never read.
        let none = TrustedProxies::default();
        assert_eq!(none.client(ip("10.0.0.1"), &h), ip("10.0.0.1"));
    }

    #[test]
    fn the_rightmost_untrusted_hop_is_the_client() {
        let t: TrustedProxies = "10.0.0.0/8".parse().unwrap();
        let proxy = ip("10.0.0.1");
        let client = |v: &str| t.client(proxy, &headers(&[("x-forwarded-for", v)]));
        assert_eq!(client("203.0.113.9"), ip("203.0.113.9"));
        // The client wrote a forged first hop; the proxy appended what it saw.
        assert_eq!(client("1.1.1.1, 203.0.113.9"), ip("203.0.113.9"));
        // Two proxies of ours in a row.
        assert_eq!(client("1.1.1.1, 203.0.113.9, 10.0.0.2"), ip("203.0.113.9"));
        // Several header lines are one list.
        let h = headers(&[
            ("x-forwarded-for", "1.1.1.1"),
            ("x-forwarded-for", "203.0.113.9, 10.0.0.2"),
        ]);
        assert_eq!(t.client(proxy, &h), ip("203.0.113.9"));
        // Ports and brackets.
        assert_eq!(client("203.0.113.9:4711"), ip("203.0.113.9"));
        assert_eq!(client("[2001:db8::5]:4711"), ip("2001:db8::5"));
        // A hop that is no address stops at the proxy that wrote it.
        assert_eq!(client("203.0.113.9, garbage, 10.0.0.2"), ip("10.0.0.2"));
        assert_eq!(client("garbage"), proxy);
        // From inside: every hop a proxy of ours.
        assert_eq!(client("10.5.5.5, 10.0.0.2"), ip("10.5.5.5"));
        // Not forwarded at all: the proxy itself.
        assert_eq!(t.client(proxy, &HeaderMap::new()), proxy);
    }

    #[test]
    fn forwarded_is_read_like_x_forwarded_for() {
        let t: TrustedProxies = "10.0.0.0/8".parse().unwrap();
        let proxy = ip("10.0.0.1");
        let client = |v: &str| t.client(proxy, &headers(&[("forwarded", v)]));
        assert_eq!(
            client("for=1.1.1.1, for=203.0.113.9;proto=https;by=10.0.0.1"),
            ip("203.0.113.9")
        );
        assert_eq!(
            client(r#"for="[2001:db8:cafe::17]:4711""#),
            ip("2001:db8:cafe::17")
        );
        assert_eq!(client("For=unknown"), proxy);
        assert_eq!(client("proto=https"), proxy);
        // Both headers: the same client, or they disagree and the proxy's own address counts.
        let both = |f: &str, x: &str| {
            t.client(proxy, &headers(&[("forwarded", f), ("x-forwarded-for", x)]))
        };
        assert_eq!(both("for=203.0.113.9", "203.0.113.9"), ip("203.0.113.9"));
        assert_eq!(both("for=198.51.100.3", "203.0.113.9"), proxy);
    }

    #[test]
    fn ipv6_clients_count_by_their_64() {
        assert_eq!(limit_key(ip("203.0.113.9")), "203.0.113.9");
        assert_eq!(limit_key(ip("::ffff:203.0.113.9")), "203.0.113.9");
        assert_eq!(limit_key(ip("2001:db8:1:2:aaaa::1")), "2001:db8:1:2::/64");
        assert_eq!(
            limit_key(ip("2001:db8:1:2:bbbb::9")),
            limit_key(ip("2001:db8:1:2:aaaa::1"))
        );
    }
}
