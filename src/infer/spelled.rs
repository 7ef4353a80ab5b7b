//! INFER stage: [`spelled_enum!`], for the closed sets of names analysis files facts under
//! (deploy tools, image builders, credential kinds, hint sources, rule ids). Each variant is
//! written once, next to its spelling; the macro derives the rest from that one list, so the
//! spelling in notes, reports and JSON cannot drift from the variant.

/// Declares a `Copy` enum whose variants each have one spelling (`Kubectl => "kubectl"`). It
/// gets `as_str` (the spelling), `Display` and `Serialize` (both the spelling), and `Ord` by
/// spelling, so sorting by the enum orders as the spellings did when facts carried strings.
/// Tests also get `ALL`, every variant in declaration order.
macro_rules! spelled_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident => $spelling:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
        $vis enum $name {
            $( $(#[$vmeta])* $variant, )+
        }

        impl $name {
            /// Every variant, in declaration order.
            #[cfg(test)]
            pub(crate) const ALL: &[$name] = &[$($name::$variant),+];

            /// The spelling in notes, reports and JSON.
            pub(crate) fn as_str(self) -> &'static str {
                match self {
                    $( $name::$variant => $spelling, )+
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl PartialOrd for $name {
            fn partial_cmp(&self, other: &Self) -> Option<::std::cmp::Ordering> {
                Some(self.cmp(other))
            }
        }

        impl Ord for $name {
            fn cmp(&self, other: &Self) -> ::std::cmp::Ordering {
                self.as_str().cmp(other.as_str())
            }
        }
    };
}

pub(crate) use spelled_enum;

/// Checks a spelled enum's variants `all`: no two share a spelling, and each serializes and
/// displays as its spelling.
#[cfg(test)]
pub(crate) fn check_spellings<T: Copy + std::fmt::Display + serde::Serialize>(all: &[T]) {
    let mut seen = std::collections::HashSet::new();
    for v in all {
        let spelling = v.to_string();
        assert!(
            seen.insert(spelling.clone()),
            "`{spelling}` is spelled twice"
        );
        let json = serde_json::to_string(v).unwrap_or_default();
        assert_eq!(json, format!("\"{spelling}\""));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    spelled_enum! {
        /// A set to test the macro on.
        enum Sample {
            Zed => "a-zed",
            Alpha => "b/alpha",
        }
    }

    #[test]
    fn spelling_serializes_displays_and_orders() {
        assert_eq!(Sample::ALL, [Sample::Zed, Sample::Alpha]);
        assert_eq!(Sample::Alpha.to_string(), "b/alpha");
        assert_eq!(
            serde_json::to_string(&Sample::ALL).unwrap_or_default(),
            r#"["a-zed","b/alpha"]"#
        );
        assert!(Sample::Zed < Sample::Alpha);
        check_spellings(Sample::ALL);
    }
}
