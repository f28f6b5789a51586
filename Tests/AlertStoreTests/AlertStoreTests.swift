import Testing
@testable import AlertStore
