//! READ stage: github reader (being written).
