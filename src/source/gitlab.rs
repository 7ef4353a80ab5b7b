//! READ stage: gitlab reader (being written).
