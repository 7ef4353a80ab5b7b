//! READ stage: azure reader (being written).
