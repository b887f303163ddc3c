//! The conversions every enum stored as text shares: its stored spelling (`as_str`), the words a
//! person reads (`label`, `Display`), parsing a stored or submitted value (`FromStr`), and
//! `TryFrom<String>` so a row struct can read it with `#[sqlx(try_from = "String")]`.
//!
//! Three ways to refuse an unknown value, for what the enum is parsed from:
//! - `stored_enum!(Type, "what to choose", "form_field", [...])`: a submitted value; trims it, and
//!   an unknown one is a field error "Choose {what}.".
//! - `stored_enum!(Type, unknown "what", [...])`: a value only the portal writes; matched exactly,
//!   and an unknown one is the server's fault, `Internal("unknown {what} \"value\"")`.
//! - `stored_enum!(Type, error ErrorType, [...])`: matched exactly, `Err(ErrorType(value))`.
//!
//! Each variant is written `Variant => "stored", "Label"`; `ALL` lists them in that order.
macro_rules! stored_enum {
    (@common $ty:ident, [$($v:ident => $s:literal, $l:literal),+]) => {
        impl $ty {
            pub const ALL: [$ty; [$(stringify!($v)),+].len()] = [$($ty::$v),+];

            pub fn as_str(self) -> &'static str {
                match self { $($ty::$v => $s),+ }
            }

            pub fn label(self) -> &'static str {
                match self { $($ty::$v => $l),+ }
            }

            /// The variant stored as exactly `s`.
            fn from_stored(s: &str) -> Option<$ty> {
                $ty::ALL.iter().copied().find(|v| v.as_str() == s)
            }
        }

        impl ::std::fmt::Display for $ty {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.label())
            }
        }

        impl TryFrom<String> for $ty {
            type Error = <$ty as ::std::str::FromStr>::Err;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                s.parse()
            }
        }
    };
    ($ty:ident, unknown $what:literal, [$($v:ident => $s:literal, $l:literal),+ $(,)?]) => {
        stored_enum!(@common $ty, [$($v => $s, $l),+]);

        impl ::std::str::FromStr for $ty {
            type Err = $crate::model::AppError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                $ty::from_stored(s).ok_or_else(|| {
                    $crate::model::AppError::Internal(format!(concat!("unknown ", $what, " {:?}"), s))
                })
            }
        }
    };
    ($ty:ident, error $err:ident, [$($v:ident => $s:literal, $l:literal),+ $(,)?]) => {
        stored_enum!(@common $ty, [$($v => $s, $l),+]);

        impl ::std::str::FromStr for $ty {
            type Err = $err;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                $ty::from_stored(s).ok_or_else(|| $err(s.to_string()))
            }
        }
    };
    ($ty:ident, $what:literal, $field:literal, [$($v:ident => $s:literal, $l:literal),+ $(,)?]) => {
        stored_enum!(@common $ty, [$($v => $s, $l),+]);

        impl ::std::str::FromStr for $ty {
            type Err = $crate::model::AppError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                $ty::from_stored(s.trim())
                    .ok_or_else(|| $crate::model::AppError::invalid($field, concat!("Choose ", $what, ".")))
            }
        }
    };
}
