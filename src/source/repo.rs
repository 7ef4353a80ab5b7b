//! READ stage: repo reader (being written).
