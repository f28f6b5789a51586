import Testing
@testable import Reasoning
