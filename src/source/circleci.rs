//! READ stage: circleci reader (being written).
