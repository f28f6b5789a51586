import RationCore

// AlertStore: see the module README section in README.md.
