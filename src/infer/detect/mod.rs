//! INFER stage: detection rules for deploy steps, image builds, tests and credentials (being written).

use crate::infer::Rule;

/// Every detection rule, in a stable order.
pub fn rules() -> Vec<Box<dyn Rule>> {
    Vec::new()
}
