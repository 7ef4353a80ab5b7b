//! READ stage: bitbucket reader (being written).
