//! READ stage: jenkins reader (being written).
