#!/usr/bin/env python3
"""Writes the Swift bindings of module Protos over the protoc-c output of CProtos.

Input: a FileDescriptorSet made by `protoc --include_imports --include_source_info`
and the names of the .proto files to generate (every file of the set). Output:
  <swift-out>/<path_with_underscores>.swift   one per .proto: value types + C glue
  <swift-out>/ProtoFileRegistry.swift         the reflection table
  <c-out>/cprotos_descriptors.c               the serialized FileDescriptorProtos

Run through scripts/gen-protos.sh, which also runs protoc-c. Output is deterministic.
The C names follow protoc-c 1.4's naming rules; compiling the output checks them.
"""

from __future__ import annotations

import argparse
import os
import sys

try:
    from google.protobuf import descriptor_pb2
except ImportError:  # pragma: no cover - reported to the user
    sys.exit(
        "gen_swift_protos.py: the Python 'protobuf' package is missing; create the venv: "
        "python3 -m venv .venv && .venv/bin/pip install grpcio-tools"
    )

FDP = descriptor_pb2.FieldDescriptorProto

SWIFT_KEYWORDS = {
    "associatedtype", "class", "deinit", "enum", "extension", "fileprivate", "func",
    "import", "init", "inout", "internal", "let", "open", "operator", "private",
    "precedencegroup", "protocol", "public", "rethrows", "static", "struct", "subscript",
    "typealias", "var", "break", "case", "catch", "continue", "default", "defer", "do",
    "else", "fallthrough", "for", "guard", "if", "in", "repeat", "return", "throw",
    "switch", "where", "while", "Any", "as", "await", "false", "is", "nil", "self",
    "Self", "super", "throws", "true", "try", "_", "async", "consume", "copy",
    "discard", "each", "borrowing", "consuming", "some", "any", "package",
}
# Names that backticks cannot rescue, or that clash with members every message has.
RESERVED_PROPERTIES = {"self", "Self", "Type", "Protocol", "init", "hashValue",
                       "serializedBytes", "protoMessageName", "deinit", "subscript"}
RESERVED_TYPES = {"Type", "Protocol", "Self", "Any", "Sendable", "Equatable", "Hashable",
                  "String", "Int32", "Int64", "UInt32", "UInt64", "Bool", "Float",
                  "Double", "Optional", "Array", "Dictionary"}
RESERVED_ENUM_VALUES = {"rawValue", "init", "self", "Self", "Type", "Protocol",
                        "allCases", "description", "hashValue"}
C_KEYWORDS = {
    "auto", "break", "case", "char", "const", "continue", "default", "do", "double",
    "else", "enum", "extern", "float", "for", "goto", "if", "int", "long", "register",
    "return", "short", "signed", "sizeof", "static", "struct", "switch", "typedef",
    "union", "unsigned", "void", "volatile", "while", "inline", "restrict", "_Bool",
    "_Complex", "_Imaginary",
    # protoc-c also renames C++ keywords (checked against protoc-c 1.4.1).
    "and", "and_eq", "asm", "bitand", "bitor", "bool", "catch", "class", "compl",
    "const_cast", "delete", "dynamic_cast", "explicit", "false", "friend", "mutable",
    "namespace", "new", "not", "not_eq", "operator", "or", "or_eq", "private",
    "protected", "public", "reinterpret_cast", "static_cast", "template", "this",
    "throw", "true", "try", "typeid", "typename", "using", "virtual", "wchar_t",
    "xor", "xor_eq",
}

# proto scalar type -> Swift type
SCALARS = {
    FDP.TYPE_INT32: "Int32", FDP.TYPE_SINT32: "Int32", FDP.TYPE_SFIXED32: "Int32",
    FDP.TYPE_INT64: "Int64", FDP.TYPE_SINT64: "Int64", FDP.TYPE_SFIXED64: "Int64",
    FDP.TYPE_UINT32: "UInt32", FDP.TYPE_FIXED32: "UInt32",
    FDP.TYPE_UINT64: "UInt64", FDP.TYPE_FIXED64: "UInt64",
    FDP.TYPE_FLOAT: "Float", FDP.TYPE_DOUBLE: "Double",
    FDP.TYPE_BOOL: "Bool", FDP.TYPE_STRING: "String", FDP.TYPE_BYTES: "[UInt8]",
}
# Swift type of each scalar as protoc-c's C field imports into Swift
C_SCALARS = {
    "Int32": "Int32", "Int64": "Int64", "UInt32": "UInt32", "UInt64": "UInt64",
    "Float": "Float", "Double": "Double", "Bool": "protobuf_c_boolean",
    "String": "UnsafeMutablePointer<CChar>?", "[UInt8]": "ProtobufCBinaryData",
}
SWIFT_DEFAULTS = {
    "Int32": "0", "Int64": "0", "UInt32": "0", "UInt64": "0", "Float": "0",
    "Double": "0", "Bool": "false", "String": '""', "[UInt8]": "[]",
}


# --------------------------------------------------------------------------- naming

def upper_camel(name: str) -> str:
    """foo_bar -> FooBar, v1alpha -> V1alpha (swift-protobuf's package rule)."""
    return "".join(p[:1].upper() + p[1:] for p in name.split("_") if p)


def lower_camel(name: str) -> str:
    """response_size -> responseSize, FOO_BAR -> fooBar (when all caps)."""
    parts = [p for p in name.split("_") if p]
    if not parts:
        return "_"
    if name.upper() == name:  # UPPER_SNAKE (enum values)
        parts = [p.lower() for p in parts]
    first = parts[0]
    first = first[:1].lower() + first[1:]
    return first + "".join(p[:1].upper() + p[1:] for p in parts[1:])


def swift_property(name: str) -> str:
    ident = lower_camel(name)
    if ident in RESERVED_PROPERTIES:
        return ident + "_p"
    if ident[0].isdigit():
        return "_" + ident
    if ident in SWIFT_KEYWORDS:
        return "`" + ident + "`"
    return ident


def unquote(ident: str) -> str:
    return ident.strip("`")


def swift_package_prefix(package: str) -> str:
    if not package:
        return ""
    return "_".join(upper_camel(p) for p in package.split(".")) + "_"


def swift_type_piece(name: str) -> str:
    return name + "Message" if name in RESERVED_TYPES else name


def c_to_camel(piece: str) -> str:
    """protoc-c's ToCamel: capitalise the first letter and each letter after '_'."""
    out, upper = [], True
    for ch in piece:
        if ch == "_":
            upper = True
        elif upper:
            out.append(ch.upper())
            upper = False
        else:
            out.append(ch)
    return "".join(out)


def c_camel_to_lower(piece: str) -> str:
    """protoc-c's CamelToLower: '_' before an upper-case letter that follows a lower one."""
    out, was_upper = [], True
    for ch in piece:
        if ch.isupper():
            if not was_upper:
                out.append("_")
            out.append(ch.lower())
            was_upper = True
        else:
            out.append(ch)
            was_upper = False
    return "".join(out)


def c_type_name(full_name: str) -> str:
    return "__".join(c_to_camel(p) for p in full_name.split(".") if p)


def c_func_prefix(full_name: str) -> str:
    return "__".join(c_camel_to_lower(p) for p in full_name.split(".") if p)


def c_field_name(name: str) -> str:
    """protoc-c's member name for a field (also the stem of n_/has_/_case members)."""
    n = name.lower()
    return n + "_" if n in C_KEYWORDS else n


def swift_member(c_name: str) -> str:
    """A C member name as Swift code must spell it."""
    return "`" + c_name + "`" if c_name in SWIFT_KEYWORDS else c_name


def swift_file_name(proto_name: str) -> str:
    base = proto_name[:-len(".proto")] if proto_name.endswith(".proto") else proto_name
    return base.replace("/", "_").replace(".", "_").replace("-", "_") + ".swift"


# --------------------------------------------------------------------------- model

class MessageInfo:
    def __init__(self, desc, full_name, swift_name, file, syntax, path):
        self.desc = desc
        self.full_name = full_name
        self.swift_name = swift_name  # fully qualified Swift name, e.g. A_B.C
        self.file = file
        self.syntax = syntax
        self.path = path  # source-info path
        self.c_name = c_type_name(full_name)
        self.c_prefix = c_func_prefix(full_name)
        self.is_map_entry = desc.options.map_entry


class EnumInfo:
    def __init__(self, desc, full_name, swift_name, file, path):
        self.desc = desc
        self.full_name = full_name
        self.swift_name = swift_name
        self.file = file
        self.path = path
        self.c_name = c_type_name(full_name)


class Registry:
    def __init__(self, fds):
        self.files = {f.name: f for f in fds.file}
        self.messages: dict[str, MessageInfo] = {}
        self.enums: dict[str, EnumInfo] = {}
        for f in fds.file:
            prefix = swift_package_prefix(f.package)
            pkg = "." + f.package if f.package else ""
            syntax = f.syntax or "proto2"
            top = (lambda n: prefix + n) if prefix else swift_type_piece
            for i, m in enumerate(f.message_type):
                self._add_message(f, syntax, m, pkg, top(m.name), [4, i])
            for i, e in enumerate(f.enum_type):
                full = pkg + "." + e.name
                self.enums[full] = EnumInfo(e, full[1:], top(e.name), f, [5, i])

    def _add_message(self, f, syntax, m, scope, swift_name, path):
        full = scope + "." + m.name
        self.messages[full] = MessageInfo(m, full[1:], swift_name, f, syntax, path)
        for i, n in enumerate(m.nested_type):
            self._add_message(f, syntax, n, full, swift_name + "." + swift_type_piece(n.name), path + [3, i])
        for i, e in enumerate(m.enum_type):
            efull = full + "." + e.name
            self.enums[efull] = EnumInfo(e, efull[1:], swift_name + "." + swift_type_piece(e.name), f, path + [4, i])


class Comments:
    def __init__(self, file):
        self.by_path = {}
        for loc in file.source_code_info.location:
            if loc.leading_comments:
                self.by_path[tuple(loc.path)] = loc.leading_comments

    def doc(self, path, indent):
        text = self.by_path.get(tuple(path))
        if not text:
            return []
        lines = text.rstrip("\n").split("\n")
        # drop the common leading single space protoc keeps after '//'
        out = []
        for line in lines:
            line = line.rstrip()
            if line.startswith(" "):
                line = line[1:]
            out.append(indent + ("/// " + line if line else "///"))
        while out and out[-1].strip() == "///":
            out.pop()
        return out


# --------------------------------------------------------------------------- fields

class Field:
    """How one proto field maps to Swift and to protoc-c's C struct."""

    def __init__(self, reg: Registry, msg: MessageInfo, fd, index):
        self.fd = fd
        self.index = index
        self.reg = reg
        self.msg = msg
        self.prop = swift_property(fd.name)
        self.craw = c_field_name(fd.name)      # for n_<x>, has_<x>
        self.cname = swift_member(self.craw)   # the member itself
        self.repeated = fd.label == FDP.LABEL_REPEATED
        self.map_entry: MessageInfo | None = None
        if fd.type == FDP.TYPE_MESSAGE and self.repeated:
            entry = reg.messages[fd.type_name]
            if entry.is_map_entry:
                self.map_entry = entry
        self.proto3_optional = fd.proto3_optional
        self.in_oneof = fd.HasField("oneof_index") and not fd.proto3_optional
        self.has_presence = (not self.repeated and not self.in_oneof and (
            fd.proto3_optional or (msg.syntax == "proto2" and fd.label == FDP.LABEL_OPTIONAL)
        ))
        self.required = msg.syntax == "proto2" and fd.label == FDP.LABEL_REQUIRED

    # element type (for singular fields: the field's value type)
    def elem_swift(self, fd=None):
        fd = fd or self.fd
        if fd.type in SCALARS:
            return SCALARS[fd.type]
        if fd.type == FDP.TYPE_ENUM:
            return self.reg.enums[fd.type_name].swift_name
        if fd.type in (FDP.TYPE_MESSAGE, FDP.TYPE_GROUP):
            return self.reg.messages[fd.type_name].swift_name
        raise SystemExit(f"unsupported field type {fd.type} in {self.msg.full_name}.{fd.name}")

    def elem_c(self, fd=None):
        """Swift spelling of the imported C type of one element."""
        fd = fd or self.fd
        if fd.type in SCALARS:
            return C_SCALARS[SCALARS[fd.type]]
        if fd.type == FDP.TYPE_ENUM:
            return self.reg.enums[fd.type_name].c_name
        return "UnsafeMutablePointer<%s>?" % self.reg.messages[fd.type_name].c_name

    def swift_type(self):
        if self.map_entry:
            k, v = self.map_kv()
            return "[%s: %s]" % (self.elem_swift(k), self.elem_swift(v))
        t = self.elem_swift()
        if self.repeated:
            return "[" + t + "]"
        if self.fd.type == FDP.TYPE_MESSAGE or self.has_presence:
            return t + "?"
        return t

    def default(self):
        if self.repeated:
            return "[:]" if self.map_entry else "[]"
        if self.fd.type == FDP.TYPE_MESSAGE or self.has_presence:
            return "nil"
        return self.elem_default()

    def elem_default(self, fd=None):
        fd = fd or self.fd
        if fd.type in SCALARS:
            return SWIFT_DEFAULTS[SCALARS[fd.type]]
        if fd.type == FDP.TYPE_ENUM:
            return self.elem_swift(fd) + "()"
        return self.elem_swift(fd) + "()"

    def map_kv(self):
        fields = {f.number: f for f in self.map_entry.desc.field}
        return fields[1], fields[2]

    # ---- C -> Swift conversion of one value
    def from_c(self, expr, fd=None):
        fd = fd or self.fd
        if fd.type in SCALARS:
            t = SCALARS[fd.type]
            if t == "Bool":
                return "(%s != 0)" % expr
            if t == "String":
                return "_protoString(%s)" % expr
            if t == "[UInt8]":
                return "_protoBytes(%s)" % expr
            return expr
        if fd.type == FDP.TYPE_ENUM:
            return "%s(rawValue: Int32(truncatingIfNeeded: %s.rawValue))" % (self.elem_swift(fd), expr)
        # message pointer (possibly nil)
        t = self.elem_swift(fd)
        return "(%s.map { %s(_c: $0) } ?? %s())" % (expr, t, t)

    # ---- Swift -> C conversion of one value
    def to_c(self, expr, fd=None):
        fd = fd or self.fd
        if fd.type in SCALARS:
            t = SCALARS[fd.type]
            if t == "Bool":
                return "(%s ? 1 : 0)" % expr
            if t == "String":
                return "arena.string(%s)" % expr
            if t == "[UInt8]":
                return "arena.bytes(%s)" % expr
            return expr
        if fd.type == FDP.TYPE_ENUM:
            return "%s(rawValue: .init(truncatingIfNeeded: %s.rawValue))" % (self.elem_c(fd), expr)
        return "%s._c(arena)" % expr

    def is_string(self):
        return self.fd.type == FDP.TYPE_STRING

    def is_message(self):
        return self.fd.type in (FDP.TYPE_MESSAGE, FDP.TYPE_GROUP)


# --------------------------------------------------------------------------- generation

class Gen:
    def __init__(self, reg: Registry, file):
        self.reg = reg
        self.file = file
        self.comments = Comments(file)
        self.out: list[str] = []
        self.glue: list[str] = []
        self.recursive_cache: dict[str, set[str]] = {}

    def w(self, line=""):
        self.out.append(line)

    def g(self, line=""):
        self.glue.append(line)

    # messages reachable through singular message fields (used to spot value-type cycles)
    def reaches(self, full: str) -> set[str]:
        if full in self.recursive_cache:
            return self.recursive_cache[full]
        seen: set[str] = set()
        stack = [full]
        while stack:
            cur = stack.pop()
            for fd in self.reg.messages[cur].desc.field:
                if fd.type == FDP.TYPE_MESSAGE and fd.label != FDP.LABEL_REPEATED and fd.type_name not in seen:
                    seen.add(fd.type_name)
                    stack.append(fd.type_name)
        self.recursive_cache[full] = seen
        return seen

    def is_cyclic(self, owner_full: str, target_full: str) -> bool:
        """Whether a singular `target` field inside `owner` makes a value-type cycle."""
        owner = "." + owner_full
        return target_full == owner or owner in self.reaches(target_full)

    def generate(self) -> str:
        f = self.file
        self.w("// DO NOT EDIT. Generated by scripts/gen_swift_protos.py from %s." % f.name)
        self.w("// Regenerate with scripts/gen-protos.sh.")
        self.w()
        self.w("internal import CProtos")
        self.w()
        for i, e in enumerate(f.enum_type):
            self.enum(self.reg.enums["." + self.qual(e.name)], "")
        for i, m in enumerate(f.message_type):
            self.message(self.reg.messages["." + self.qual(m.name)], "")
        for i, s in enumerate(f.service):
            self.service(s, [6, i])
        if self.glue:
            self.w("// MARK: - Conversion to and from the protoc-c structs (internal)")
            self.w()
            self.out.extend(self.glue)
        while self.out and self.out[-1] == "":
            self.out.pop()
        return "\n".join(self.out) + "\n"

    def qual(self, name):
        return (self.file.package + "." + name) if self.file.package else name

    # ---- enums
    def enum(self, info: EnumInfo, ind: str):
        e = info.desc
        name = info.swift_name.split(".")[-1]
        self.out.extend(self.comments.doc(info.path, ind))
        self.w(ind + "/// The proto enum `%s`; unknown values are kept as they are." % info.full_name)
        self.w(ind + "public struct %s: RawRepresentable, Hashable, Sendable, CustomStringConvertible {" % name)
        i2 = ind + "    "
        self.w(i2 + "public var rawValue: Int32")
        self.w(i2 + "public init(rawValue: Int32) { self.rawValue = rawValue }")
        first = e.value[0].number if e.value else 0
        self.w(i2 + "/// The default value, `%s`." % (e.value[0].name if e.value else "0"))
        self.w(i2 + "public init() { self.rawValue = %d }" % first)
        self.w()
        names = self.enum_value_names(e)
        seen = set()
        for idx, (v, ident) in enumerate(zip(e.value, names)):
            if ident in seen:
                continue
            seen.add(ident)
            self.out.extend(self.comments.doc(info.path + [2, idx], i2))
            self.w(i2 + "/// `%s = %d`" % (v.name, v.number))
            self.w(i2 + "public static let %s = Self(rawValue: %d)" % (ident, v.number))
        self.w()
        self.w(i2 + "/// Every value the .proto declares, in declaration order.")
        uniq = []
        for ident in names:
            if ident not in uniq:
                uniq.append(ident)
        self.w(i2 + "public static let allKnownValues: [Self] = [%s]" % ", ".join("." + u for u in uniq))
        self.w()
        self.w(i2 + "/// The value's name in the .proto, or its number when unknown.")
        self.w(i2 + "public var description: String {")
        self.w(i2 + "    switch rawValue {")
        done = set()
        for v in e.value:
            if v.number in done:
                continue
            done.add(v.number)
            self.w(i2 + "    case %d: return \"%s\"" % (v.number, v.name))
        self.w(i2 + "    default: return String(rawValue)")
        self.w(i2 + "    }")
        self.w(i2 + "}")
        self.w(ind + "}")
        self.w()

    def enum_value_names(self, e):
        prefix = "".join(c_camel_to_lower(e.name).upper()) + "_"
        prefix = prefix.replace("__", "_")
        strip = all(v.name.upper().startswith(prefix) and len(v.name) > len(prefix)
                    and not v.name[len(prefix)].isdigit() for v in e.value)
        out = []
        for v in e.value:
            n = v.name[len(prefix):] if strip else v.name
            ident = lower_camel(n)
            if ident in RESERVED_ENUM_VALUES:
                ident += "_"
            elif ident[0].isdigit():
                ident = "_" + ident
            elif ident in SWIFT_KEYWORDS:
                ident = "`" + ident + "`"
            out.append(ident)
        return out

    # ---- messages
    def message(self, info: MessageInfo, ind: str):
        m = info.desc
        name = info.swift_name.split(".")[-1]
        fields = [Field(self.reg, info, fd, i) for i, fd in enumerate(m.field)]
        oneofs = []  # (oneof decl index, name, [fields])
        for oi, od in enumerate(m.oneof_decl):
            members = [f for f in fields if f.in_oneof and f.fd.oneof_index == oi]
            if members:
                oneofs.append((oi, od.name, members))

        self.out.extend(self.comments.doc(info.path, ind))
        self.w(ind + "/// The proto message `%s`." % info.full_name)
        self.w(ind + "public struct %s: ProtoMessage {" % name)
        i2 = ind + "    "
        self.w(i2 + "public static let protoMessageName = \"%s\"" % info.full_name)
        self.w()
        oneof_done = set()
        for f in fields:
            if f.in_oneof:
                oi = f.fd.oneof_index
                if oi in oneof_done:
                    continue
                oneof_done.add(oi)
                o = [x for x in oneofs if x[0] == oi][0]
                self.oneof_property(info, o, i2)
                continue
            self.out.extend(self.comments.doc(info.path + [2, f.index], i2))
            if f.fd.options.deprecated:
                self.w(i2 + "/// Deprecated in the .proto file.")
            if f.is_message() and not f.repeated and self.is_cyclic(info.full_name, f.fd.type_name):
                t = f.elem_swift()
                self.w(i2 + "public var %s: %s? {" % (f.prop, t))
                self.w(i2 + "    get { _%s?.value }" % unquote(f.prop))
                self.w(i2 + "    set { _%s = newValue.map { _ProtoBox($0) } }" % unquote(f.prop))
                self.w(i2 + "}")
                self.w(i2 + "private var _%s: _ProtoBox<%s>? = nil" % (unquote(f.prop), t))
            else:
                self.w(i2 + "public var %s: %s = %s" % (f.prop, f.swift_type(), f.default()))
            self.w()

        for oi, oname, members in oneofs:
            self.oneof_enum(info, oname, members, i2)

        self.w(i2 + "public init() {}")
        self.w()
        self.w(i2 + "public init(serializedBytes bytes: [UInt8]) throws {")
        self.w(i2 + "    self = try _protoDecode(bytes, Self.protoMessageName, %s__init) { Self(_c: $0) }"
               % info.c_prefix)
        self.w(i2 + "}")
        self.w()
        self.w(i2 + "public func serializedBytes() throws -> [UInt8] {")
        self.w(i2 + "    try _protoEncode { self._c($0) }")
        self.w(i2 + "}")

        # nested types (map entries are plain dictionaries)
        nested_enums = [self.reg.enums["." + info.full_name + "." + e.name] for e in m.enum_type]
        nested_msgs = [self.reg.messages["." + info.full_name + "." + n.name] for n in m.nested_type]
        nested_msgs = [n for n in nested_msgs if not n.is_map_entry]
        if nested_enums or nested_msgs:
            self.w()
        for e in nested_enums:
            self.enum(e, i2)
        for n in nested_msgs:
            self.message(n, i2)
        if self.out[-1] == "":
            self.out.pop()
        self.w(ind + "}")
        self.w()

        self.message_glue(info, fields, oneofs)

    def oneof_case_name(self, f: Field):
        return f.prop

    def oneof_property(self, info, o, ind):
        oi, oname, members = o
        self.out.extend(self.comments.doc(info.path + [8, oi], ind))
        self.w(ind + "/// The oneof `%s`: at most one of its fields is set." % oname)
        self.w(ind + "public var %s: OneOf_%s? = nil" % (swift_property(oname), upper_camel(oname)))
        self.w()
        for f in members:
            self.out.extend(self.comments.doc(info.path + [2, f.index], ind))
            t = f.elem_swift()
            self.w(ind + "/// `%s` when the oneof `%s` holds it, else the default; setting it selects it." % (f.fd.name, oname))
            self.w(ind + "public var %s: %s {" % (f.prop, t))
            self.w(ind + "    get {")
            self.w(ind + "        if case .%s(let v)? = %s { return v }" % (self.oneof_case_name(f), swift_property(oname)))
            self.w(ind + "        return %s" % f.elem_default())
            self.w(ind + "    }")
            self.w(ind + "    set { %s = .%s(newValue) }" % (swift_property(oname), self.oneof_case_name(f)))
            self.w(ind + "}")
            self.w()

    def oneof_enum(self, info, oname, members, ind):
        indirect = any(f.is_message() and self.is_cyclic(info.full_name, f.fd.type_name) for f in members)
        self.w(ind + "/// The fields of the oneof `%s`." % oname)
        self.w(ind + "public %senum OneOf_%s: Hashable, Sendable {" % ("indirect " if indirect else "", upper_camel(oname)))
        for f in members:
            self.w(ind + "    case %s(%s)" % (self.oneof_case_name(f), f.elem_swift()))
        self.w(ind + "}")
        self.w()

    def message_glue(self, info: MessageInfo, fields, oneofs):
        sw, c = info.swift_name, info.c_name
        g = self.g
        g("extension %s {" % sw)
        # C -> Swift
        g("    init(_c c: UnsafePointer<%s>) {" % c)
        g("        self.init()")
        if fields:
            g("        let m = c.pointee")
        # protobuf-c points an absent proto2 string with a [default] at that default.
        defaulted = [f for f in fields if f.has_presence and f.is_string() and f.fd.HasField("default_value")]
        if defaulted:
            g("        var defaults = %s()" % c)
            g("        %s__init(&defaults)" % info.c_prefix)
        for f in fields:
            if f.in_oneof:
                continue
            cf = "m." + f.cname
            if f.map_entry:
                k, v = f.map_kv()
                entry = f.map_entry
                kt, vt = f.elem_swift(k), f.elem_swift(v)
                g("        self.%s = _protoMap(%s, m.n_%s) { (e: UnsafeMutablePointer<%s>?) -> (%s, %s) in"
                  % (f.prop, cf, f.craw, entry.c_name, kt, vt))
                g("            guard let e else { return (%s, %s) }" % (f.elem_default(k), f.elem_default(v)))
                g("            return (%s, %s)" % (f.from_c("e.pointee.key", k), f.from_c("e.pointee.value", v)))
                g("        }")
            elif f.repeated:
                if f.is_message():
                    t = f.elem_swift()
                    g("        self.%s = _protoArray(%s, m.n_%s) { (e: %s) -> %s in e.map { %s(_c: $0) } ?? %s() }"
                      % (f.prop, cf, f.craw, f.elem_c(), t, t, t))
                else:
                    g("        self.%s = _protoArray(%s, m.n_%s) { (e: %s) -> %s in %s }"
                      % (f.prop, cf, f.craw, f.elem_c(), f.elem_swift(), f.from_c("e")))
            elif f.is_message():
                g("        if let p = %s { self.%s = %s(_c: p) }" % (cf, f.prop, f.elem_swift()))
            elif f.has_presence and f.is_string():
                same = (", p != defaults.%s" % f.cname) if f in defaulted else ""
                g("        if let p = %s%s { self.%s = String(cString: p) }" % (cf, same, f.prop))
            elif f.has_presence:
                g("        if m.has_%s != 0 { self.%s = %s }" % (f.craw, f.prop, f.from_c(cf)))
            else:
                g("        self.%s = %s" % (f.prop, f.from_c(cf)))
        for oi, oname, members in oneofs:
            case_field = "m.%s_case" % c_field_name(oname)
            g("        switch %s.rawValue {" % case_field)
            for f in members:
                g("        case %d: self.%s = .%s(%s)" % (f.fd.number, swift_property(oname),
                                                       self.oneof_case_name(f), f.from_c("m." + f.cname)))
            g("        default: break")
            g("        }")
        g("    }")
        g()
        # Swift -> C
        g("    func _c(_ arena: _ProtoArena) -> UnsafeMutablePointer<%s> {" % c)
        g("        let p = arena.allocate(%s.self)" % c)
        g("        %s__init(p)" % info.c_prefix)
        for f in fields:
            if f.in_oneof:
                continue
            cf = "p.pointee." + f.cname
            if f.map_entry:
                k, v = f.map_kv()
                entry = f.map_entry
                kt, vt = f.elem_swift(k), f.elem_swift(v)
                less = "!a.key && b.key" if kt == "Bool" else "a.key < b.key"
                g("        if !self.%s.isEmpty {" % f.prop)
                g("            let entries = self.%s.sorted { (a: (key: %s, value: %s), b: (key: %s, value: %s)) -> Bool in %s }"
                  % (f.prop, kt, vt, kt, vt, less))
                g("            p.pointee.n_%s = entries.count" % f.craw)
                g("            %s = arena.array(entries) { (kv: (key: %s, value: %s)) -> UnsafeMutablePointer<%s>? in"
                  % (cf, kt, vt, entry.c_name))
                g("                let e = arena.allocate(%s.self)" % entry.c_name)
                g("                %s__init(e)" % entry.c_prefix)
                g("                e.pointee.key = %s" % f.to_c("kv.key", k))
                g("                e.pointee.value = %s" % f.to_c("kv.value", v))
                g("                return e")
                g("            }")
                g("        }")
            elif f.repeated:
                g("        if !self.%s.isEmpty {" % f.prop)
                g("            p.pointee.n_%s = self.%s.count" % (f.craw, f.prop))
                g("            %s = arena.array(self.%s) { (v: %s) -> %s in %s }"
                  % (cf, f.prop, f.elem_swift(), f.elem_c(), f.to_c("v")))
                g("        }")
            elif f.is_message():
                if f.required:
                    g("        %s = (self.%s ?? %s())._c(arena)" % (cf, f.prop, f.elem_swift()))
                else:
                    g("        if let v = self.%s { %s = v._c(arena) }" % (f.prop, cf))
            elif f.has_presence and f.is_string():
                g("        %s = self.%s.map { arena.string($0, present: true) }" % (cf, f.prop))
            elif f.has_presence:
                g("        if let v = self.%s {" % f.prop)
                g("            p.pointee.has_%s = 1" % f.craw)
                g("            %s = %s" % (cf, f.to_c("v")))
                g("        }")
            else:
                g("        %s = %s" % (cf, f.to_c("self." + f.prop)))
        for oi, oname, members in oneofs:
            g("        switch self.%s {" % swift_property(oname))
            for f in members:
                g("        case .%s(let v)?:" % self.oneof_case_name(f))
                g("            p.pointee.%s_case = .init(rawValue: %d)" % (c_field_name(oname), f.fd.number))
                if f.is_string():
                    g("            p.pointee.%s = arena.string(v, present: true)" % f.cname)
                else:
                    g("            p.pointee.%s = %s" % (f.cname, f.to_c("v")))
            g("        case nil: break")
            g("        }")
        g("        return p")
        g("    }")
        g("}")
        g()

    # ---- services: names only (RPCServer routes by path)
    def service(self, s, path):
        full = self.qual(s.name)
        prefix = swift_package_prefix(self.file.package)
        name = prefix + s.name if prefix else swift_type_piece(s.name)
        self.out.extend(self.comments.doc(path, ""))
        self.w("/// Names of the service `%s` and the paths of its methods." % full)
        self.w("public enum %s {" % name)
        self.w("    public static let serviceName = \"%s\"" % full)
        self.w()
        self.w("    /// The `:path` of each method.")
        self.w("    public enum Method {")
        for i, md in enumerate(s.method):
            kind = {(False, False): "unary", (False, True): "server streaming",
                    (True, False): "client streaming", (True, True): "bidirectional streaming"}[
                (md.client_streaming, md.server_streaming)]
            inp = self.reg.messages[md.input_type].swift_name
            out = self.reg.messages[md.output_type].swift_name
            self.out.extend(self.comments.doc(path + [2, i], "        "))
            self.w("        /// %s, %s: `%s` -> `%s`." % (md.name, kind, inp, out))
            self.w("        public static let %s = \"/%s/%s\"" % (swift_property(md.name), full, md.name))
        self.w("    }")
        self.w("}")
        self.w()


# --------------------------------------------------------------------------- registry

def file_symbols(f):
    pkg = f.package
    syms = set()
    if pkg:
        syms.add(pkg)

    def q(n, scope):
        return scope + "." + n if scope else n

    def walk_msg(m, scope):
        full = q(m.name, scope)
        syms.add(full)
        for n in m.nested_type:
            walk_msg(n, full)
        for e in m.enum_type:
            syms.add(q(e.name, full))
        for x in m.extension:
            syms.add(q(x.name, full))

    for m in f.message_type:
        walk_msg(m, pkg)
    for e in f.enum_type:
        syms.add(q(e.name, pkg))
    for s in f.service:
        sf = q(s.name, pkg)
        syms.add(sf)
        for md in s.method:
            syms.add(sf + "." + md.name)
    for x in f.extension:
        syms.add(q(x.name, pkg))
    return sorted(syms)


def swift_string_list(items, indent):
    if not items:
        return "[]"
    inner = "".join("%s    \"%s\",\n" % (indent, s) for s in items)
    return "[\n" + inner + indent + "]"


def write_registry(files, swift_out, c_out):
    lines = [
        "// DO NOT EDIT. Generated by scripts/gen_swift_protos.py.",
        "// Regenerate with scripts/gen-protos.sh.",
        "",
        "/// Every .proto file compiled into this module, for server reflection.",
        "public enum ProtoFileRegistry {",
        "    /// The files, sorted by name. `serializedDescriptor` holds each FileDescriptorProto.",
        "    public static let files: [ProtoFile] = [",
    ]
    for i, f in enumerate(files):
        services = sorted((f.package + "." + s.name) if f.package else s.name for s in f.service)
        lines += [
            "        ProtoFile(",
            "            name: \"%s\"," % f.name,
            "            dependencies: %s," % swift_string_list(list(f.dependency), "            "),
            "            symbols: %s," % swift_string_list(file_symbols(f), "            "),
            "            services: %s," % swift_string_list(services, "            "),
            "            serializedDescriptor: _protoFileDescriptorBytes(%d)" % i,
            "        ),",
        ]
    lines += ["    ]", "}", ""]
    with open(os.path.join(swift_out, "ProtoFileRegistry.swift"), "w") as fh:
        fh.write("\n".join(lines))

    # The descriptors themselves, as C arrays (fast to compile, unlike Swift literals).
    c = [
        "/* DO NOT EDIT. Generated by scripts/gen_swift_protos.py. */",
        "/* The serialized FileDescriptorProto of each .proto, for server reflection. */",
        "",
        "#include \"cprotos_support.h\"",
        "",
    ]
    for i, f in enumerate(files):
        stripped = descriptor_pb2.FileDescriptorProto()
        stripped.CopyFrom(f)
        stripped.ClearField("source_code_info")
        data = stripped.SerializeToString(deterministic=True)
        c.append("/* %s */" % f.name)
        c.append("static const unsigned char cprotos_fd_%d[%d] = {" % (i, len(data)))
        for off in range(0, len(data), 16):
            c.append("    " + ", ".join("0x%02x" % b for b in data[off:off + 16]) + ",")
        c.append("};")
        c.append("")
    c.append("static const struct { const unsigned char *data; size_t length; } cprotos_fds[%d] = {" % len(files))
    for i in range(len(files)):
        c.append("    { cprotos_fd_%d, sizeof(cprotos_fd_%d) }," % (i, i))
    c.append("};")
    c.append("")
    c.append("size_t cprotos_file_descriptor_count(void) { return %d; }" % len(files))
    c.append("")
    c.append("const unsigned char *cprotos_file_descriptor(size_t index, size_t *length) {")
    c.append("    if (index >= %d) { *length = 0; return 0; }" % len(files))
    c.append("    *length = cprotos_fds[index].length;")
    c.append("    return cprotos_fds[index].data;")
    c.append("}")
    c.append("")
    with open(os.path.join(c_out, "cprotos_descriptors.c"), "w") as fh:
        fh.write("\n".join(c))


# --------------------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--descriptor-set", required=True)
    ap.add_argument("--swift-out", required=True)
    ap.add_argument("--c-out", required=True)
    ap.add_argument("protos", nargs="+", help="proto file names (as imported) to generate")
    args = ap.parse_args()

    fds = descriptor_pb2.FileDescriptorSet()
    with open(args.descriptor_set, "rb") as fh:
        fds.ParseFromString(fh.read())
    wanted = set(args.protos)
    present = {f.name for f in fds.file}
    missing = sorted(present - wanted)
    if missing:
        sys.exit("gen_swift_protos.py: these imports are not in the list of protos in "
                 "scripts/gen-protos.sh; add them: " + ", ".join(missing))
    absent = sorted(wanted - present)
    if absent:
        sys.exit("gen_swift_protos.py: not in the descriptor set: " + ", ".join(absent))

    reg = Registry(fds)
    os.makedirs(args.swift_out, exist_ok=True)
    os.makedirs(args.c_out, exist_ok=True)
    files = sorted(fds.file, key=lambda f: f.name)
    for f in files:
        text = Gen(reg, f).generate()
        with open(os.path.join(args.swift_out, swift_file_name(f.name)), "w") as fh:
            fh.write(text)
    write_registry(files, args.swift_out, args.c_out)


if __name__ == "__main__":
    main()
