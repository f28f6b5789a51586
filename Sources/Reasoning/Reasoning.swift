import RationCore

// Reasoning: see the module README section in README.md.
