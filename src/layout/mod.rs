//! READ stage: repository layout: manifests, kustomizations, charts, Dockerfiles, operator objects (being written).
