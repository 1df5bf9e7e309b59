import Foundation
import KubeBackend
import Testing

@Suite struct QuantityTests {
    // MARK: Parsing and canonical output

    /// Input, then the string Kubernetes prints for it.
    static let canonicalForms: [(String, String)] = [
        ("0", "0"), ("0m", "0"), ("0Ki", "0"), ("0.000", "0"), ("00", "0"),
        ("1", "1"), ("1000m", "1"), ("1500m", "1500m"), ("0.1", "100m"), ("0.5", "500m"),
        ("1.5", "1500m"), ("1.0", "1"), ("1.2345", "1234500u"), ("1000", "1k"), ("2048", "2048"),
        ("100Mi", "100Mi"), ("1024Mi", "1Gi"), ("1.5Gi", "1536Mi"), ("1000M", "1G"), ("10.0350M", "10035k"),
        ("1Ki", "1Ki"), ("8Ki", "8Ki"), ("7Ei", "7Ei"), ("-1Ki", "-1Ki"), ("-100m", "-100m"),
        // A binary value below 1024, or with a fraction, prints as decimal SI.
        ("0.5Ki", "512"), ("1.5Ki", "1536"), ("1.1Ki", "1126400m"), ("0.5Mi", "512Ki"),
        ("0.05Gi", "53687091200m"), ("100.035Ki", "102435840m"),
        (".001Ki", "1024m"), (".000001Ki", "1024u"), (".000000001Ki", "1024n"),
        // Finer than nano rounds away from zero.
        (".000000000001Ki", "2n"), ("3.001n", "4n"), ("0.9n", "1n"), ("0.00000012354", "124n"), ("-0.9n", "-1n"),
        // Binary values are capped at 2^63-1.
        ("9Ei", "9223372036854775807"), ("8Ei", "9223372036854775807"), ("9223372036854775807Ki", "9223372036854775807"),
        // Decimal exponents keep exponent notation, in multiples of three.
        ("1e3", "1e3"), ("1e-3", "1e-3"), (".001e12", "1e9"), ("0.001e0", "1e-3"), ("1000e-12", "1e-9"),
        ("1e1", "10"), ("1.2e3", "1200"), ("1e99", "1e99"), ("1e100", "10e99"), ("1.3E+6", "1300e3"),
        // Decimal SI stops at E, then falls back to an exponent.
        ("12E", "12E"), ("1000E", "1e21"), ("5000E", "5e21"),
        // Values past int64 stay exact.
        ("18446744073709551616", "18446744073709551616"),
        ("123456789012345678901234567890", "123456789012345678901234567890"),
        // Odd but accepted spellings.
        ("1.0G", "1G"), (".001", "1m"), (".0001k", "100m"), ("-", "0"), (".", "0"), ("-.", "0"),
    ]

    @Test(arguments: canonicalForms)
    func printsCanonicalForm(input: String, expected: String) throws {
        let quantity = try Quantity(parsing: input)
        #expect(quantity.description == expected, "\(input)")
        // The canonical form is itself stable.
        #expect(try Quantity(parsing: expected).description == expected)
        #expect(try Quantity(parsing: expected) == quantity)
    }

    /// Kubernetes keeps the input string when its fast path finds the digits
    /// canonical, even with a leading "+", leading zeros or a point; the apiserver
    /// then stores and returns that spelling, so fleetd must print it the same way.
    @Test(arguments: [
        ("+1", "+1"), ("01", "01"), ("1.500k", "1.500k"), ("10.035M", "10.035M"), ("1.", "1."), ("1.G", "1.G"),
        ("1E3", "1E3"), ("+1Ki", "+1Ki"),
    ])
    func keepsKubernetesVerbatimSpellings(input: String, expected: String) throws {
        #expect(try Quantity(parsing: input).description == expected)
    }

    @Test func verbatimSpellingIsDroppedOnceTheValueChanges() throws {
        let written = try Quantity(parsing: "+1")
        #expect((written + .zero).description == "1")
        var reformatted = try Quantity(parsing: "1.500k")
        reformatted.format = .decimalSI
        #expect(reformatted.description == "1500")
    }

    @Test(arguments: [
        ("1", Quantity.Format.decimalSI), ("1Ki", .binarySI), ("1e3", .decimalExponent), ("1E", .decimalSI),
        ("0Ki", .binarySI), (".000000000001Ki", .decimalSI), ("0.5Ki", .binarySI), ("1.3E+6", .decimalExponent),
    ])
    func remembersItsFormat(input: String, format: Quantity.Format) throws {
        #expect(try Quantity(parsing: input).format == format)
    }

    @Test(arguments: [
        ("1.1.M", QuantityError.invalidFormat("1.1.M")), ("1+1.0M", .invalidFormat("1+1.0M")),
        (" 1", .invalidFormat(" 1")), ("1 ", .invalidFormat("1 ")), ("aoeu", .invalidFormat("aoeu")),
        ("-3.01e-", .invalidSuffix("-3.01e-")), ("1e3k", .invalidFormat("1e3k")),
        ("0.1mi", .invalidSuffix("0.1mi")), ("0.1am", .invalidFormat("0.1am")), (".5i", .invalidSuffix(".5i")),
        ("1i", .invalidSuffix("1i")), ("-3.01i", .invalidSuffix("-3.01i")), ("1e", .invalidSuffix("1e")),
        ("1ki", .invalidSuffix("1ki")), ("1KI", .invalidFormat("1KI")),
        ("", .empty), ("1e99999", .exponentOutOfRange("1e99999")),
    ])
    func rejectsInvalidStrings(input: String, error: QuantityError) {
        #expect(throws: error) { try Quantity(parsing: input) }
        #expect(Quantity(input) == nil)
    }

    // MARK: Comparison and arithmetic

    @Test(arguments: [
        ("1Gi", "1024Mi", 0), ("1000m", "1", 0), ("1e-3", "1m", 0), ("-0", "0", 0),
        ("100m", "50m", 1), ("50m", "100m", -1), ("10000T", "100Gi", 1), ("-1", "0", -1),
        ("-2", "-1", -1), ("1e100", "1n", 1), ("1n", "1e100", -1), ("-1e100", "1n", -1),
        ("18446744073709551617", "18446744073709551616", 1),
    ])
    func comparesValues(lhs: String, rhs: String, order: Int) throws {
        let left = try Quantity(parsing: lhs)
        let right = try Quantity(parsing: rhs)
        #expect((left < right) == (order < 0), "\(lhs) < \(rhs)")
        #expect((left > right) == (order > 0), "\(lhs) > \(rhs)")
        #expect((left == right) == (order == 0), "\(lhs) == \(rhs)")
        if order == 0 { #expect(left.hashValue == right.hashValue) }
    }

    @Test func addsExactlyKeepingTheLeftFormat() throws {
        #expect((try Quantity(parsing: "1") + Quantity(parsing: "500m")).description == "1500m")
        #expect((try Quantity(parsing: "1Gi") + Quantity(parsing: "512Mi")).description == "1536Mi")
        #expect((try Quantity(parsing: "10") + Quantity(parsing: "1Ki")).format == .decimalSI)
        #expect((try Quantity(parsing: "0.1") + Quantity(parsing: "0.2")) == (try Quantity(parsing: "300m")))
        // 2 × (2^63 - 1): past int64, still exact.
        #expect((try Quantity(parsing: "9Ei") + Quantity(parsing: "9Ei")).description == "18446744073709551614")
        #expect((Quantity(Int64.max, format: .binarySI) + Quantity(1)).description == "8Ei")
    }

    @Test func zeroTakesTheOtherOperandsFormat() throws {
        for text in ["100m", "1Gi"] {
            let value = try Quantity(parsing: text)
            #expect((value + Quantity.zero).description == text)
            #expect((Quantity.zero + value).description == text)
            #expect((value - Quantity.zero).description == text)
            #expect((Quantity.zero - value).description == "-" + text)
        }
    }

    @Test func subtractsAndNegates() throws {
        #expect((try Quantity(parsing: "1Gi") - Quantity(parsing: "1Gi")).description == "0")
        #expect((try Quantity(parsing: "1Gi") - Quantity(parsing: "1.5Gi")).description == "-512Mi")
        #expect((Quantity(10, format: .binarySI) - Quantity(1)).description == "9")
        #expect((-Quantity(901, exponent: -2)).description == "-9010m")
        var total = try Quantity(parsing: "2")
        total -= try Quantity(parsing: "250m")
        total += try Quantity(parsing: "1m")
        #expect(total.description == "1751m")
    }

    // MARK: Integer views

    @Test(arguments: [
        ("1", 1000), ("100m", 100), ("1.5", 1500), ("1n", 1), ("-1n", -1), ("0.0001", 1),
        ("1Gi", 1_073_741_824_000), ("100E", Int64.max), ("-100E", Int64.min),
    ] as [(String, Int64)])
    func milliValueRoundsAwayFromZero(input: String, milli: Int64) throws {
        #expect(try Quantity(parsing: input).milliValue == milli)
    }

    @Test func valueAndScaledValue() throws {
        #expect(try Quantity(parsing: "1.1").value == 2)
        #expect(try Quantity(parsing: "-1.1").value == -2)
        #expect(try Quantity(parsing: "1Gi").value == 1_073_741_824)
        #expect(Quantity(1, exponent: -9).scaledValue(exponent: -6) == 1)
        #expect(Quantity(1, exponent: -6).scaledValue(exponent: -9) == 1000)
        #expect(Quantity(1, exponent: 2).scaledValue(exponent: -2) == 10_000)
    }

    @Test func roundsUpToAScale() throws {
        let value = try Quantity(parsing: "9.01")
        let hundredths = value.roundedUp(toExponent: -2)
        #expect(hundredths.quantity == value && hundredths.isExact)
        let tenths = value.roundedUp(toExponent: -1)
        #expect(tenths.quantity.description == "9100m" && !tenths.isExact)
        #expect(value.roundedUp(toExponent: 2).quantity.description == "100")
        #expect(try Quantity(parsing: "-9.01").roundedUp(toExponent: 0).quantity.description == "-10")
    }

    @Test func constructsFromIntegers() {
        #expect(Quantity(milliValue: 1).description == "1m")
        #expect(Quantity(milliValue: 1000).description == "1")
        #expect(Quantity(milliValue: 1024, format: .binarySI).description == "1024m")
        #expect(Quantity(1024, format: .binarySI).description == "1Ki")
        #expect(Quantity(1000).description == "1k")
        #expect(Quantity(1_000_000, format: .decimalExponent).description == "1e6")
        #expect(Quantity(1000, exponent: -9).description == "1u")
        #expect(Quantity(1, exponent: -12).description == "1e-12")
        let literal: Quantity = "250m"
        #expect(literal.milliValue == 250)
    }

    // MARK: JSON

    @Test func decodesStringsAndNumbersFromJSON() throws {
        let json = #"{"cpu":"500m","fraction":1.5,"exponent":1e3,"negative":-1,"padded":" 1","none":null}"#
        let decoded = try KubeJSON.decode([String: Quantity].self, from: Array(json.utf8))
        #expect(decoded.mapValues(\.description) == [
            "cpu": "500m", "fraction": "1500m", "exponent": "1e3", "negative": "-1", "padded": "1", "none": "0",
        ])
    }

    @Test func encodesAsJSONStrings() throws {
        let encoded = try KubeJSON.encode(["memory": Quantity(parsing: "1.5Gi"), "cpu": Quantity(parsing: "0.1")])
        let parsed = try KubeJSON.parse(encoded)
        #expect(parsed == ["memory": "1536Mi", "cpu": "100m"])
    }

    @Test func worksWithFoundationCoders() throws {
        let decoded = try JSONDecoder().decode([String: Quantity].self, from: Data(#"{"a":"2Gi","b":2,"c":0.25}"#.utf8))
        #expect(decoded.mapValues(\.description) == ["a": "2Gi", "b": "2", "c": "250m"])
        let encoded = try JSONEncoder().encode(Quantity(parsing: "1e3"))
        #expect(String(decoding: encoded, as: UTF8.self) == #""1e3""#)
    }

    @Test func rejectsInvalidQuantitiesInJSON() {
        #expect(throws: DecodingError.self) {
            try KubeJSON.decode([String: Quantity].self, from: Array(#"{"cpu":"1 core"}"#.utf8))
        }
        #expect(throws: DecodingError.self) {
            try KubeJSON.decode([String: Quantity].self, from: Array(#"{"cpu":true}"#.utf8))
        }
    }
}
