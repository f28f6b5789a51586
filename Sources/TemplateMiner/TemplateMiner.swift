import RationCore

// TemplateMiner: see the module README section in README.md.
