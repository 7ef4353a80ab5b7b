//! READ stage: travis reader (being written).
