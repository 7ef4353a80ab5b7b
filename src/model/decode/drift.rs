//! `environments[].drift`: how the operator treats what it applied once someone changes it in
//! the cluster, or once it leaves Git.

use crate::model::decode::{DRIFT_KEYS, Decoder};
use crate::model::types::{Drift, Operator};
use crate::yaml::Node;

impl Decoder<'_> {
    /// The environment's drift settings; defaults for what `node` leaves out.
    pub(super) fn drift(&mut self, node: Option<&Node>, operator: Operator) -> Drift {
        let mut drift = Drift::default();
        let Some(node) = node else { return drift };
        let Some(map) = self.map(node, "`drift`") else {
            return drift;
        };
        self.known_keys(map, DRIFT_KEYS, "`drift`");
        if let Some(prune) = map.get("prune").and_then(|n| self.bool(n, "`drift.prune`")) {
            drift.prune = prune;
        }
        if let Some(n) = map.get("self_heal")
            && let Some(self_heal) = self.bool(n, "`drift.self_heal`")
        {
            match (self_heal, operator) {
                (false, Operator::Flux) => self.problem_help(
                    n.span,
                    "Flux cannot leave drift in place".to_owned(),
                    "not with operator flux",
                    "Flux applies the overlay again at every `interval` and so undoes every \
                     change made in the cluster; remove `self_heal`, lengthen `drift.interval`, \
                     or suspend the environment (see docs/drift.md)"
                        .to_owned(),
                ),
                (self_heal, _) => drift.self_heal = self_heal,
            }
        }
        if let Some(interval) = self.opt_string(map, "interval", "`drift.interval`") {
            match check_duration(&interval.value) {
                Ok(()) if operator == Operator::Argocd => self.problem_help(
                    interval.span,
                    "Argo CD has no interval per environment".to_owned(),
                    "not with operator argocd",
                    "Argo CD compares every Application on one period, `timeout.reconciliation` \
                     in its `argocd-cm` ConfigMap (see docs/drift.md); remove `interval`"
                        .to_owned(),
                ),
                Ok(()) => drift.interval = Some(interval.value),
                Err(why) => self.problem_help(
                    interval.span,
                    format!(
                        "`drift.interval` `{}` is not a duration: {why}",
                        interval.value
                    ),
                    "expected a duration",
                    "numbers with units ms, s, m or h, such as `5m`, `1h30m` or `90s`".to_owned(),
                ),
            }
        }
        drift
    }
}

/// A Go duration as Kubernetes custom resources spell one: one or more `<number><unit>`, the
/// number decimal digits with an optional fraction, the unit `ms`, `s`, `m` or `h`; not zero.
pub(crate) fn check_duration(text: &str) -> Result<(), &'static str> {
    if text.is_empty() {
        return Err("it is empty");
    }
    let mut rest = text;
    let mut nonzero = false;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !c.is_ascii_digit() && c != '.')
            .ok_or("the last number has no unit")?;
        let number = &rest[..digits];
        let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
        let well_formed = !whole.is_empty()
            && whole.bytes().all(|b| b.is_ascii_digit())
            && fraction.bytes().all(|b| b.is_ascii_digit())
            && !(number.contains('.') && fraction.is_empty());
        if !well_formed {
            return Err("each part is a number, then a unit");
        }
        nonzero |= number.bytes().any(|b| (b'1'..=b'9').contains(&b));
        rest = &rest[digits..];
        let unit = ["ms", "s", "m", "h"]
            .into_iter()
            .find(|u| rest.starts_with(u))
            .ok_or("units are ms, s, m and h")?;
        rest = &rest[unit.len()..];
    }
    if nonzero { Ok(()) } else { Err("it is zero") }
}

#[cfg(test)]
mod tests {
    use super::check_duration;

    #[test]
    fn durations_as_flux_reads_them() {
        for ok in ["10m0s", "5m", "1h30m", "90s", "1.5h", "250ms", "0h1m"] {
            assert_eq!(check_duration(ok), Ok(()), "{ok}");
        }
        for (bad, why) in [
            ("", "it is empty"),
            ("10", "the last number has no unit"),
            ("5 m", "units are ms, s, m and h"),
            ("5d", "units are ms, s, m and h"),
            ("m5", "each part is a number, then a unit"),
            ("1.m", "each part is a number, then a unit"),
            ("0s", "it is zero"),
            ("-5m", "each part is a number, then a unit"),
        ] {
            assert_eq!(check_duration(bad), Err(why), "{bad}");
        }
    }
}
