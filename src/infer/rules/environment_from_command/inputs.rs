//! The run inputs a name comes from: a choice input's reference inside it, or a variable
//! whose whole value is an input.

use crate::infer::commands::references;

/// The reference to a manual input that lists its choices, inside a name: the input, its
/// choices and the reference as written, so each choice can replace it (`shop-${{ inputs.region
/// }}` with choices eu/us names `shop-eu` and `shop-us`). A reference is `$ENV`, `${ENV}`,
/// `${params.ENV}`, `${{ inputs.ENV }}` or `${{ github.event.inputs.ENV }}` anywhere in the
/// name, or the whole name `params.ENV`.
pub(super) fn chosen_by_input<'c>(
    name: &str,
    choices: &'c [(String, Vec<String>)],
) -> Option<(&'c str, &'c [String], String)> {
    let n = name.trim();
    let whole = n.starts_with("params.").then_some((n, n));
    whole
        .into_iter()
        .chain(references(n))
        .find_map(|(written, inner)| {
            let input = input_name(inner)
                .or_else(|| inner.strip_prefix("env."))
                .unwrap_or(inner);
            let plain = is_plain(input);
            let (i, c) = choices.iter().find(|(i, _)| plain && i == input)?;
            Some((i.as_str(), c.as_slice(), written.to_owned()))
        })
}

/// The run input a variable's whole value is (`NAMESPACE: ${{ inputs.namespace }}`, `${{
/// github.event.inputs.ns }}`, Azure `${{ parameters.ns }}`): a name that comes down to that
/// variable is the one the person starting the run types, so that input chooses it.
pub(super) fn run_input(value: &str) -> Option<&str> {
    let inner = value.trim().strip_prefix("${{")?.strip_suffix("}}")?.trim();
    input_name(inner).filter(|i| i.starts_with(|c: char| c.is_ascii_alphabetic()) && is_plain(i))
}

/// An input's name as written: letters, digits, `_` and `-`.
fn is_plain(input: &str) -> bool {
    !input.is_empty()
        && input
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// The manual input an expression reads: GitHub `inputs.x` / `github.event.inputs.x`, Jenkins
/// `params.x`, an Azure runtime parameter `parameters.x` / `parameters['x']`.
pub(crate) fn input_name(inner: &str) -> Option<&str> {
    crate::read::github::input_read(inner)
        .or_else(|| inner.strip_prefix("params."))
        .or_else(|| crate::read::azure::accessed(inner, "parameters"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A variable whose whole value is a run input is what the person starting the run types;
    /// a name built around the input, a fallback, or another context is not.
    #[test]
    fn a_variable_that_is_a_run_input_is_chosen_by_it() {
        assert_eq!(run_input("${{ inputs.namespace }}"), Some("namespace"));
        assert_eq!(
            run_input(" ${{ github.event.inputs.target-ns }} "),
            Some("target-ns")
        );
        assert_eq!(run_input("${{ parameters.ns }}"), Some("ns"));
        // Not the whole value, or not an input: no one types it as it is.
        assert_eq!(run_input("shop-${{ inputs.namespace }}"), None);
        assert_eq!(run_input("${{ inputs.namespace || 'shop' }}"), None);
        assert_eq!(run_input("${{ vars.NAMESPACE }}"), None);
        assert_eq!(run_input("${{ steps.ns.outputs.name }}"), None);
    }

    /// A choice input inside a longer name replaces itself with each choice; any spelling of
    /// the reference counts, and a reference to another input or variable does not.
    #[test]
    fn a_choice_input_inside_a_name_is_replaced_by_each_choice() {
        let choices = vec![("region".to_owned(), vec!["eu".to_owned(), "us".to_owned()])];
        for name in [
            "shop-${{ inputs.region }}",
            "shop-${{github.event.inputs.region}}",
            "shop-${region}",
            "shop-$region",
            "${params.region}",
            "params.region",
        ] {
            let (input, found, written) = chosen_by_input(name, &choices).expect(name);
            assert_eq!((input, found.len()), ("region", 2), "{name}");
            assert!(name.contains(&written), "{name}: {written}");
        }
        for name in [
            "shop-${{ inputs.size }}",
            "shop-$regions",
            "shop-$",
            "${",
            "$$",
        ] {
            assert!(chosen_by_input(name, &choices).is_none(), "{name}");
        }
        let refs: Vec<_> = references("a-$X-${Y}-${{ Z }}").collect();
        assert_eq!(refs, [("$X", "X"), ("${Y}", "Y"), ("${{ Z }}", "Z")]);
    }
}
