import Foundation

/// A varlink call: `{"method": "io.rationd.GetStatus", "parameters": {...}, "more": true}`.
public struct VarlinkCall: Sendable, Codable, Equatable {
    public var method: String
    public var parameters: JSONValue?
    /// The caller accepts several replies (`continues: true` on all but the last).
    public var more: Bool?
    /// The caller wants no reply.
    public var oneway: Bool?
    public var upgrade: Bool?

    public init(method: String, parameters: JSONValue? = nil, more: Bool? = nil, oneway: Bool? = nil) {
        self.method = method
        self.parameters = parameters
        self.more = more
        self.oneway = oneway
    }
}

/// A varlink reply: parameters, or an error name with its parameters.
public struct VarlinkReply: Sendable, Codable, Equatable {
    public var parameters: JSONValue?
    public var continues: Bool?
    public var error: String?

    public init(parameters: JSONValue? = nil, continues: Bool? = nil, error: String? = nil) {
        self.parameters = parameters
        self.continues = continues
        self.error = error
    }
}

/// JSON coding shared by the server and the client, so both agree on every detail.
public enum VarlinkJSON {
    public static func encode<T: Encodable>(_ value: T) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(value)
    }

    public static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        try JSONDecoder().decode(type, from: data)
    }

    /// Re-decodes a generic JSON value into a typed one.
    public static func decode<T: Decodable>(_ type: T.Type, from value: JSONValue) throws -> T {
        try decode(type, from: encode(value))
    }

    public static func value<T: Encodable>(_ typed: T) throws -> JSONValue {
        try decode(JSONValue.self, from: encode(typed))
    }
}
