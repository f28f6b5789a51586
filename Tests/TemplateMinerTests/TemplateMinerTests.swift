import Testing
@testable import TemplateMiner
