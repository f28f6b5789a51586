import RationCore

// Ingest: see the module README section in README.md.
