import Foundation
import KubeBackend
import Testing

@Suite struct JSONTests {
    @Test func parsesEveryValueKind() throws {
        let value = try KubeJSON.parse(Array(#" {"a":[null,true,false,-0.5e-3,"x"],"b":{}} "#.utf8))
        #expect(value == ["a": [nil, true, false, .number(JSONNumber("-0.5e-3")!), "x"], "b": [:]])
    }

    @Test func keepsNumberTextAndComparesByValue() throws {
        let value = try KubeJSON.parse(Array(#"[9007199254740993, 1.0, 1e2, 0.10]"#.utf8))
        #expect(String(decoding: KubeJSON.serialize(value), as: UTF8.self) == "[9007199254740993,1.0,1e2,0.10]")
        #expect(JSONNumber("1.0") == JSONNumber("1"))
        #expect(JSONNumber("1e2") == JSONNumber("100"))
        #expect(JSONNumber("0.10") == JSONNumber("1e-1"))
        #expect(JSONNumber("-0") == JSONNumber("0"))
        #expect(JSONNumber("9007199254740993") != JSONNumber("9007199254740992"))
        #expect(JSONNumber("1.0")?.hashValue == JSONNumber("1")?.hashValue)
        #expect(JSONNumber("01") == nil && JSONNumber("1.") == nil && JSONNumber(".5") == nil && JSONNumber("1e") == nil)
    }

    @Test func decodesEscapesAndSurrogatePairs() throws {
        let value = try KubeJSON.parse(Array(#""a\"b\\c\/d\b\f\n\r\t\u00e9\ud83d\ude80\ud800x""#.utf8))
        #expect(value == .string("a\"b\\c/d\u{8}\u{c}\n\r\té🚀\u{FFFD}x"))
    }

    @Test func writesEscapedStringsThatParseBack() throws {
        let original: JSONValue = ["k\"ey": "line\nbreak\u{1}\ttab\\ é 🚀"]
        let text = String(decoding: KubeJSON.serialize(original), as: UTF8.self)
        #expect(text == #"{"k\"ey":"line\nbreak\u0001\ttab\\ é 🚀"}"#)
        #expect(try KubeJSON.parse(Array(text.utf8)) == original)
    }

    @Test func objectsCompareWithoutOrderAndKeepTheLastDuplicate() throws {
        #expect(try KubeJSON.parse(Array(#"{"a":1,"b":2}"#.utf8)) == KubeJSON.parse(Array(#"{"b":2,"a":1}"#.utf8)))
        let duplicated = try KubeJSON.parse(Array(#"{"a":1,"b":2,"a":3}"#.utf8))
        #expect(duplicated.objectValue?.keys == ["a", "b"])
        #expect(duplicated["a"] == 3)
        let ordered: JSONValue = ["a": 1, "b": 2]
        let reversed: JSONValue = ["b": 2, "a": 1]
        #expect(ordered.hashValue == reversed.hashValue)
    }

    @Test func aCopiedObjectEqualsItsOriginalUntilAValueChanges() throws {
        let original = try #require(KubeJSON.parse(Array(#"{"a":{"b":[1,2]},"c":"d"}"#.utf8)).objectValue)
        var copy = original
        #expect(copy == original)
        copy["c"] = "e"
        #expect(copy != original)
        copy["c"] = "d"
        #expect(copy == original)
        var nested = try #require(original["a"]?.objectValue)
        nested["b"] = [1, 3]
        copy["a"] = .object(nested)
        #expect(copy != original)
    }

    @Test(arguments: [
        ("", 0), ("{", 1), (#"{"a" 1}"#, 5), ("[1,]", 3), ("01", 1), ("1.", 2), ("tru", 0), ("\"abc", 4),
        ("\"a\u{1}\"", 2), (#""\x""#, 3), ("[1] [2]", 4), ("-", 1), (#"{"a":1,}"#, 7),
    ])
    func rejectsMalformedDocuments(text: String, offset: Int) {
        #expect(throws: JSONParseError.self) { try KubeJSON.parse(Array(text.utf8)) }
        do {
            _ = try KubeJSON.parse(Array(text.utf8))
        } catch {
            #expect(error.offset == offset, "\(text): \(error)")
        }
    }

    @Test func parsesDocumentsDenserInTokensThanTheParserFirstAllowsFor() throws {
        // A token every two bytes, three times the parser's first guess: its token buffer grows.
        let digits = (0..<5_000).map { String($0 % 10) }
        let text = Array(("[" + digits.joined(separator: ",") + "]").utf8)
        #expect(try KubeJSON.parse(text) == .array(digits.map { .number(JSONNumber($0)!) }))
        #expect(try KubeJSON.decode([Int].self, from: text) == digits.map { Int($0)! })
    }

    @Test func rejectsExcessiveNesting() throws {
        let deep = String(repeating: "[", count: 600) + String(repeating: "]", count: 600)
        #expect(throws: JSONParseError.self) { try KubeJSON.parse(Array(deep.utf8)) }
        let fine = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        #expect(try KubeJSON.parse(Array(fine.utf8)).arrayValue?.count == 1)
    }

    @Test func jsonValueWorksWithFoundationCoders() throws {
        let value = try JSONDecoder().decode(JSONValue.self, from: Data(#"{"a":[1,2.5,"s",null,true],"b":{"c":-7}}"#.utf8))
        #expect(value == ["a": [1, 2.5, "s", nil, true], "b": ["c": -7]])
        let encoded = try JSONEncoder().encode(value)
        #expect(try KubeJSON.parse(Array(encoded)) == value)
    }
}

@Suite struct TimestampTests {
    @Test func parsesRFC3339() {
        #expect(Timestamp(rawValue: "2024-05-01T10:00:00Z").date == Date(timeIntervalSince1970: 1_714_557_600))
        #expect(Timestamp(rawValue: "2024-05-01T12:00:00+02:00").date == Date(timeIntervalSince1970: 1_714_557_600))
        #expect(Timestamp(rawValue: "1969-12-31T23:59:59Z").date == Date(timeIntervalSince1970: -1))
        let micro = Timestamp(rawValue: "2024-05-01T10:00:10.123456Z").date?.timeIntervalSince1970 ?? 0
        #expect(abs(micro - 1_714_557_610.123456) < 1e-6)
        #expect(Timestamp(rawValue: "2024-05-01 10:00").date == nil)
        #expect(Timestamp(rawValue: "2024-13-01T10:00:00Z").date == nil)
    }

    @Test func formatsAsKubernetesDoes() {
        #expect(Timestamp(Date(timeIntervalSince1970: 1_714_557_600)).rawValue == "2024-05-01T10:00:00Z")
        #expect(Timestamp(Date(timeIntervalSince1970: 951_782_400)).rawValue == "2000-02-29T00:00:00Z")
        #expect(Timestamp(Date(timeIntervalSince1970: 1_714_557_610.5), fractionalDigits: 6).rawValue == "2024-05-01T10:00:10.500000Z")
        #expect(Timestamp(Date(timeIntervalSince1970: -1)).rawValue == "1969-12-31T23:59:59Z")
    }
}
