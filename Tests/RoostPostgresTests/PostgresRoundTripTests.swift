import Foundation
import RoostTestSupport
import Testing
@testable import RoostPostgres

@Suite struct PostgresRoundTripTests {
    func roundTrip<T: PostgresEncodable & PostgresDecodable & Equatable>(_ value: T, as sqlType: String) async throws {
        let connection = try await PostgresConnection.connect(PostgresSettings(conninfo: try TestDatabase.serverURL))
        let row = try await connection.query("SELECT $1::\(sqlType) AS v, $2::\(sqlType) AS n", value, T?.none)[0]
        #expect(try row.decode("v", as: T.self) == value)
        #expect(try row.decode("n", as: T?.self) == nil)
        #expect(throws: PostgresError.self) { try row.decode("n", as: T.self) }
    }

    @Test func text() async throws {
        try await roundTrip("plain", as: "text")
        try await roundTrip("unicode: 日本語 🐦 ñ \"quotes\" \\backslash\\ 'single'", as: "text")
        try await roundTrip(String(repeating: "large value ", count: 200_000), as: "text")
        try await roundTrip("", as: "text")
    }

    @Test func integers() async throws {
        try await roundTrip(Int32.max, as: "int4")
        try await roundTrip(Int64.min, as: "int8")
        try await roundTrip(-42, as: "int8")
    }

    @Test func boolDoubleUUIDBytes() async throws {
        try await roundTrip(true, as: "bool")
        try await roundTrip(false, as: "bool")
        try await roundTrip(3.25, as: "float8")
        try await roundTrip(UUID(), as: "uuid")
        try await roundTrip(Data([0, 1, 2, 254, 255]), as: "bytea")
    }

    @Test func timestamptz() async throws {
        let date = Date(timeIntervalSince1970: 1_795_000_000.123456)
        let connection = try await PostgresConnection.connect(PostgresSettings(conninfo: try TestDatabase.serverURL))
        let row = try await connection.query("SELECT $1::timestamptz AS v, '2026-11-01 02:00:00+02'::timestamptz AS z", date)[0]
        let back = try row.decode("v", as: Date.self)
        #expect(abs(back.timeIntervalSince1970 - date.timeIntervalSince1970) < 0.000_001)
        #expect(try row.decode("z", as: Date.self) == Date(timeIntervalSince1970: 1_793_491_200))
        #expect(PostgresTimestamp.format(Date(timeIntervalSince1970: 1_795_000_000.123456)) == "2026-11-18 11:06:40.123456+00")
        #expect(PostgresTimestamp.parse(PostgresTimestamp.format(Date(timeIntervalSince1970: -86_400.5)))
                == Date(timeIntervalSince1970: -86_400.5))
    }

    @Test func jsonb() async throws {
        let connection = try await PostgresConnection.connect(PostgresSettings(conninfo: try TestDatabase.serverURL))
        let json = PostgresJSON(text: #"{"b": [1, 2], "a": "ü 🐦"}"#)
        let row = try await connection.query("SELECT $1::jsonb AS v, ($1::jsonb)->>'a' AS a", json)[0]
        #expect(try row.decode("v", as: PostgresJSON.self).decode([String: AnyCodableValue].self)["a"] == .string("ü 🐦"))
        #expect(try row.decode("a", as: String.self) == "ü 🐦")
    }

    @Test func arrays() async throws {
        let connection = try await PostgresConnection.connect(PostgresSettings(conninfo: try TestDatabase.serverURL))
        let texts = ["a", "b c", "with,comma", "quote\"d", "back\\slash", "", "NULL", "日本"]
        let row = try await connection.query("SELECT $1::text[] AS t, $2::int8[] AS i, '{}'::text[] AS e, ARRAY['x', NULL] AS n",
                                             texts, [1, -2, 3])[0]
        #expect(try row.decode("t", as: [String].self) == texts)
        #expect(try row.decode("i", as: [Int].self) == [1, -2, 3])
        #expect(try row.decode("e", as: [String].self) == [])
        #expect(try row.decode("n", as: [String?].self) == ["x", nil])
    }
}

/// Enough of JSON to compare decoded documents in tests.
enum AnyCodableValue: Decodable, Equatable {
    case string(String), number(Double), other
    init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let s = try? container.decode(String.self) { self = .string(s) }
        else if let d = try? container.decode(Double.self) { self = .number(d) }
        else { self = .other }
    }
}
