//! The conversions every enum stored as text shares: its stored spelling (`as_str`), the words a
//! person reads (`label`, `Display`), parsing a stored or submitted value (`FromStr`, a field
//! error naming what to choose), and `TryFrom<String>` so a row struct can read it with
//! `#[sqlx(try_from = "String")]`.

/// `stored_enum!(Type, "what to choose", "form_field", [Variant => "stored", "Label", ...])`
macro_rules! stored_enum {
    ($ty:ident, $what:literal, $field:literal, [$($v:ident => $s:literal, $l:literal),+ $(,)?]) => {
        impl $ty {
            pub const ALL: &'static [$ty] = &[$($ty::$v),+];

            pub fn as_str(self) -> &'static str {
                match self { $($ty::$v => $s),+ }
            }

            pub fn label(self) -> &'static str {
                match self { $($ty::$v => $l),+ }
            }
        }

        impl ::std::fmt::Display for $ty {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.label())
            }
        }

        impl ::std::str::FromStr for $ty {
            type Err = $crate::model::AppError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                $ty::ALL
                    .iter()
                    .copied()
                    .find(|v| v.as_str() == s.trim())
                    .ok_or_else(|| $crate::model::AppError::invalid($field, concat!("Choose ", $what, ".")))
            }
        }

        impl TryFrom<String> for $ty {
            type Error = $crate::model::AppError;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                s.parse()
            }
        }
    };
}
