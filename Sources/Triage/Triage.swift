import RationCore

// Triage: see the module README section in README.md.
