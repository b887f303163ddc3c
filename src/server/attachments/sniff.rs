//! What an upload may contain: the accepted types, by extension *and* by content, the content
//! checked across every chunk the file arrives in (a client chooses the chunk sizes, so a check
//! of the first chunk alone can be fooled by a first chunk of a few ASCII bytes).

/// What support asks for: logs, screenshots, configuration files, and archives of them.
const ALLOWED: &[(&str, &str, Kind)] = &[
    ("log", "text/plain", Kind::Text),
    ("txt", "text/plain", Kind::Text),
    ("conf", "text/plain", Kind::Text),
    ("cfg", "text/plain", Kind::Text),
    ("ini", "text/plain", Kind::Text),
    ("json", "application/json", Kind::Text),
    ("xml", "application/xml", Kind::Text),
    ("yaml", "text/plain", Kind::Text),
    ("yml", "text/plain", Kind::Text),
    ("csv", "text/csv", Kind::Text),
    ("png", "image/png", Kind::Magic(b"\x89PNG\r\n\x1a\n")),
    ("jpg", "image/jpeg", Kind::Magic(b"\xff\xd8\xff")),
    ("jpeg", "image/jpeg", Kind::Magic(b"\xff\xd8\xff")),
    ("gz", "application/gzip", Kind::Magic(b"\x1f\x8b")),
    ("tgz", "application/gzip", Kind::Magic(b"\x1f\x8b")),
    ("zip", "application/zip", Kind::Magic(b"PK\x03\x04")),
];

#[derive(Debug, Clone, Copy)]
pub(super) enum Kind {
    /// Plain text: no NUL byte anywhere in the file (a binary behind a text-looking start, a PE
    /// header after a few ASCII bytes, still has NULs further on).
    Text,
    /// A binary format recognised by its first bytes.
    Magic(&'static [u8]),
}

pub fn allowed_extensions() -> String {
    ALLOWED
        .iter()
        .map(|(e, _, _)| *e)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The content type and kind of content a file name's extension promises.
pub(super) fn kind_of(name: &str) -> Option<(&'static str, Kind)> {
    let ext = name.rsplit_once('.')?.1.to_ascii_lowercase();
    ALLOWED
        .iter()
        .find(|(e, _, _)| *e == ext)
        .map(|(_, ct, k)| (*ct, *k))
}

/// Checks a file's content chunk by chunk as it streams in.
pub(super) struct Sniffer {
    kind: Kind,
    /// The file's first bytes, up to the signature's length (binary kinds only).
    head: Vec<u8>,
}

impl Sniffer {
    pub fn new(kind: Kind) -> Sniffer {
        Sniffer {
            kind,
            head: Vec::new(),
        }
    }

    /// Takes the next chunk; `false` as soon as the content cannot match its type.
    pub fn feed(&mut self, chunk: &[u8]) -> bool {
        match self.kind {
            Kind::Text => !chunk.contains(&0),
            Kind::Magic(signature) => {
                let missing = signature.len().saturating_sub(self.head.len());
                self.head
                    .extend_from_slice(&chunk[..missing.min(chunk.len())]);
                signature.starts_with(&self.head)
            }
        }
    }

    /// At the end of the file: whether everything fed matched (a file shorter than its
    /// signature does not).
    pub fn matched(&self) -> bool {
        match self.kind {
            Kind::Text => true,
            Kind::Magic(signature) => self.head.as_slice() == signature,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matches(kind: Kind, chunks: &[&[u8]]) -> bool {
        let mut s = Sniffer::new(kind);
        chunks.iter().all(|c| s.feed(c)) && s.matched()
    }

    #[test]
    fn the_page_lists_what_the_server_accepts() {
        assert_eq!(
            allowed_extensions(),
            crate::model::attachment::ACCEPTED_EXTENSIONS
        );
    }

    #[test]
    fn types_are_checked_by_extension_and_content() {
        let (_, png) = kind_of("shot.PNG").expect("png allowed");
        assert!(matches(png, &[b"\x89PNG\r\n\x1a\nrest"]));
        assert!(!matches(png, &[b"GIF89a"]));
        let (_, text) = kind_of("array.log").expect("log allowed");
        assert!(matches(text, &[b"plain text"]));
        assert!(!matches(text, &[b"MZ\x00\x00"]));
        assert!(kind_of("setup.exe").is_none());
        assert!(kind_of("noextension").is_none());
    }

    #[test]
    fn content_is_checked_across_chunks() {
        let (_, text) = kind_of("notes.txt").expect("txt allowed");
        // A few ASCII bytes first, then a PE executable.
        assert!(!matches(text, &[b"hi", b"MZ\x90\x00\x03\x00\x00\x00"]));
        assert!(matches(text, &[b"hi", b" there"]));
        let (_, png) = kind_of("shot.png").expect("png allowed");
        // The signature split over chunks of one byte still counts; a wrong byte after a
        // right start does not, nor does a file that ends inside the signature.
        let split: Vec<&[u8]> = b"\x89PNG\r\n\x1a\nIHDR".chunks(1).collect();
        assert!(matches(png, &split));
        assert!(!matches(png, &[b"\x89P", b"NX\r\n\x1a\n"]));
        assert!(!matches(png, &[b"\x89PNG"]));
    }
}
