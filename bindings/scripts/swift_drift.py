#!/usr/bin/env python3
"""Checks that the hand-written Swift only uses what freshly generated Swift bindings declare.

No Swift compiler runs on this repository's machines, so nothing else would notice that a
renamed FFI function, argument or record field broke the Swift package. Both sides are parsed with
tree-sitter-swift; from the generated files come the declared types, functions and methods (with
their argument labels and which have defaults), initializers, enum cases (with their associated
values) and protocol requirements. In the hand-written files every

- type name (`user_type`) must be declared (generated or hand-written) or be a Swift, Foundation
  or XCTest type listed below;
- call `f(a: …, b: …)`, `x.f(a: …)`, `Type(a: …)`, `.case(a: …)` must name something declared and
  its labels must fit one of its signatures: in order, each parameter without a default given;
- member `x.name` and implicit member `.name` must be declared;
- enum case pattern `.Case(let a, …)` must name a case with that many associated values;
- class that adopts a generated protocol must implement each requirement with the same labels.

Names that belong to the Swift standard library, Foundation or XCTest are listed in STD_* below;
they are the only names not checked, so a renamed FFI name never hides behind them unless it is
also a standard name (the lists are kept short for that reason).

    python3 swift_drift.py --generated G.swift... -- HANDWRITTEN.swift...
Exit status 0: no drift; 1: drift (each finding printed as file:line: message); 2: usage/parse.
"""
import sys
from dataclasses import dataclass, field

import tree_sitter as ts
import tree_sitter_swift as tss

PARSER = ts.Parser(ts.Language(tss.language()))

# Types from Swift, Foundation, XCTest that the hand-written Swift uses.
STD_TYPES = {
    "Any", "AnyObject", "AsyncStream", "Bool", "Data", "Double", "Error", "Foundation", "Int",
    "Int32", "Int64", "NSLock", "Optional", "Pipe", "Process", "ProcessInfo", "Self", "Sendable",
    "String", "Task", "T", "TimeInterval", "URL", "URLRequest", "URLSession", "UInt16", "UInt32",
    "UInt64", "XCTestCase", "CustomStringConvertible", "JSONSerialization", "HTTPURLResponse",
    "Equatable", "Array", "Dictionary", "Set", "Character", "Float", "Void", "Never",
    "CharacterSet", "NSRegularExpression", "NSRange", "FileHandle", "DispatchQueue",
    "Decodable", "Encodable", "Codable", "JSONDecoder", "JSONEncoder", "UInt8", "UTF8",
    "Hashable", "Comparable",
}
# Attributes look like types to the parser.
ATTRIBUTES = {"unchecked", "available", "discardableResult", "MainActor", "Sendable", "escaping"}
# Free functions and initializers from Swift, Foundation, XCTest.
STD_FUNCTIONS = {
    "XCTAssertEqual", "XCTAssertTrue", "XCTAssertFalse", "XCTAssertNil", "XCTAssertNotNil",
    "XCTFail", "XCTUnwrap", "XCTAssertThrowsError", "print", "precondition", "fatalError",
    "withThrowingTaskGroup", "withTaskGroup", "min", "max", "zip", "stride", "type",
    "defer", "lock", "unlock",
    "body",  # a closure parameter (NSLock.locked)
}
# Methods called on values of standard types.
STD_METHODS = {
    "lock", "unlock", "append", "map", "filter", "first", "contains", "yield", "finish",
    "cancel", "sleep", "addTask", "run", "terminate", "waitUntilExit", "readLine", "data",
    "setValue", "jsonObject", "compactMap", "firstIndex", "removeFirst", "split", "hasPrefix",
    "hasSuffix", "components", "trimmingCharacters", "replacingOccurrences", "reduce", "sorted",
    "joined", "flatMap", "forEach", "next", "makeAsyncIterator", "locked", "readDataToEndOfFile",
    "availableData", "write", "range", "firstMatch", "dropFirst", "prefix", "suffix",
    "upload", "init", "randomElement", "dictionaryWithValues", "description", "setUp",
    "tearDown", "string", "substring", "uppercased", "lowercased", "index", "last",
    "decode", "encode", "setValue",
}
# Properties of values of standard types, and enum cases of standard enums.
STD_MEMBERS = {
    "count", "isEmpty", "first", "last", "value", "environment", "standardOutput",
    "standardError", "executableURL", "arguments", "fileHandleForReading", "statusCode",
    "httpMethod", "httpBody", "some", "none", "bufferingNewest", "bufferingOldest",
    "unbounded", "onTermination", "localizedDescription", "utf8", "main", "shared",
    "isCancelled", "processIdentifier", "isRunning", "terminationStatus", "keys", "values",
    "self", "description", "success", "failure", "finished", "cancelled", "allHTTPHeaderFields",
    "current", "processInfo", "regularExpression", "readabilityHandler", "utf8",
}


@dataclass
class Signature:
    params: list  # [(label or None, has_default)]
    where: str

    def accepts(self, labels, trailing_closures=0):
        i = 0
        missing = 0
        for label, has_default in self.params:
            if i < len(labels) and labels[i] == label:
                i += 1
            elif not has_default:
                missing += 1
        return i == len(labels) and missing <= trailing_closures

    def render(self, name):
        return f"{name}(" + "".join(f"{l or '_'}:" for l, _ in self.params) + ")"


@dataclass
class Declarations:
    types: set = field(default_factory=set)
    functions: dict = field(default_factory=dict)  # name -> [Signature]; methods and free funcs
    inits: dict = field(default_factory=dict)  # type -> [Signature]
    cases: dict = field(default_factory=dict)  # case name -> [(arity, Signature)]
    members: set = field(default_factory=set)  # properties, methods, cases
    protocols: dict = field(default_factory=dict)  # protocol -> [(name, Signature)]


def text(node, src):
    return src[node.start_byte:node.end_byte].decode()


def line(node):
    return node.start_point[0] + 1


def parse(path):
    with open(path, "rb") as f:
        src = f.read()
    return PARSER.parse(src), src


def params_of(node, src, where):
    params = []
    children = node.children
    for i, c in enumerate(children):
        if c.type != "parameter":
            continue
        names = [text(n, src) for n in c.children if n.type == "simple_identifier"]
        label = names[0] if names else None
        if label == "_":
            label = None
        has_default = i + 1 < len(children) and children[i + 1].type == "="
        params.append((label, has_default))
    return Signature(params, where)


def name_child(node, src, kind="simple_identifier"):
    for c in node.children:
        if c.type == kind:
            return text(c, src)
    return None


def walk(node):
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        stack.extend(reversed(n.children))


def enclosing_type(node, src):
    n = node.parent
    while n is not None:
        if n.type in ("class_declaration", "protocol_declaration"):
            for c in n.children:
                if c.type == "type_identifier":
                    return text(c, src)
                if c.type == "user_type":
                    return text(c, src)
        n = n.parent
    return None


def collect(paths):
    d = Declarations()
    for path in paths:
        tree, src = parse(path)
        for n in walk(tree.root_node):
            where = f"{path}:{line(n)}"
            if n.type in ("class_declaration", "protocol_declaration", "typealias_declaration"):
                for c in n.children:
                    if c.type in ("type_identifier", "user_type"):
                        d.types.add(text(c, src).split("<")[0])
                        break
            if n.type == "function_declaration":
                name = name_child(n, src)
                if name:
                    d.functions.setdefault(name, []).append(params_of(n, src, where))
                    d.members.add(name)
            elif n.type == "protocol_function_declaration":
                name = name_child(n, src)
                sig = params_of(n, src, where)
                d.functions.setdefault(name, []).append(sig)
                d.members.add(name)
                proto = enclosing_type(n, src)
                d.protocols.setdefault(proto, []).append((name, sig))
            elif n.type == "init_declaration":
                owner = enclosing_type(n, src)
                if owner:
                    d.inits.setdefault(owner, []).append(params_of(n, src, where))
            elif n.type == "enum_entry":
                names = [c for c in n.children if c.type == "simple_identifier"]
                for c in names:
                    d.members.add(text(c, src))
                case = text(names[0], src)
                values = [c for c in n.children if c.type == "enum_type_parameters"]
                if values:
                    sig = params_of_enum(values[0], src, where)
                    d.cases.setdefault(case, []).append((len(sig.params), sig))
                else:
                    d.cases.setdefault(case, []).append((0, Signature([], where)))
            elif n.type in ("property_declaration", "protocol_property_declaration"):
                for c in walk(n):
                    if c.type == "pattern":
                        for b in c.children:
                            if b.type == "simple_identifier":
                                d.members.add(text(b, src))
                        break
    return d


def params_of_enum(node, src, where):
    # `(code: String, message: String)`: a label is a simple_identifier followed by `:`.
    params = []
    kids = node.children
    depth = 0
    expect = True
    for i, c in enumerate(kids):
        if c.type == "(":
            depth += 1
            continue
        if c.type == ")":
            depth -= 1
            continue
        if c.type == ",":
            expect = True
            continue
        if "comment" in c.type:
            continue
        if expect:
            if c.type == "simple_identifier" and i + 1 < len(kids) and kids[i + 1].type == ":":
                params.append((text(c, src), False))
            else:
                params.append((None, False))
            expect = False
    return Signature(params, where)


def call_parts(call, src):
    """(callee node, labels, trailing closures) of a call_expression; labels None: a subscript."""
    callee = call.children[0]
    labels = []
    trailing = 0
    for suffix in call.children[1:]:
        if suffix.type != "call_suffix":
            continue
        for c in suffix.children:
            if c.type == "value_arguments":
                if c.children and c.children[0].type == "[":
                    return callee, None, 0
                for arg in c.children:
                    if arg.type != "value_argument":
                        continue
                    label = None
                    for a in arg.children:
                        if a.type == "value_argument_label":
                            label = text(a, src)
                    labels.append(label)
            elif c.type in ("lambda_literal", "annotated_lambda"):
                trailing += 1
    return callee, labels, trailing


def check(generated, handwritten):
    gen = collect(generated)
    own = collect(handwritten)
    # Cases of hand-written enums (the tests' own errors) are cases too.
    for case, sigs in own.cases.items():
        gen.cases.setdefault(case, []).extend(sigs)
    types = gen.types | own.types | STD_TYPES
    findings = []

    def report(path, node, msg):
        findings.append(f"{path}:{line(node)}: {msg}")

    def signatures(name):
        return gen.functions.get(name, []) + own.functions.get(name, [])

    def check_labels(path, node, name, sigs, labels, trailing):
        if not any(s.accepts(labels, trailing) for s in sigs):
            given = name + "(" + "".join(f"{l or '_'}:" for l in labels) + ")"
            known = ", ".join(sorted({s.render(name) for s in sigs}))
            report(path, node, f"{given} matches no declared signature ({known})")

    for path in handwritten:
        tree, src = parse(path)
        for n in walk(tree.root_node):
            if n.type == "ERROR" or n.is_missing:
                report(path, n, f"does not parse: {text(n, src)[:60]!r}")
            elif n.type == "user_type":
                name = text(n.children[0], src)
                if name not in types and name not in ATTRIBUTES:
                    report(path, n, f"type {name} is not declared in the generated bindings")
            elif n.type == "call_expression":
                callee, labels, trailing = call_parts(n, src)
                if labels is None:
                    continue  # a subscript
                if callee.type == "simple_identifier":
                    name = text(callee, src)
                    if name in STD_FUNCTIONS or name in STD_TYPES:
                        continue
                    if name[:1].isupper():
                        if name in gen.inits or name in own.inits:
                            sigs = gen.inits.get(name, []) + own.inits.get(name, [])
                            check_labels(path, n, name, sigs, labels, trailing)
                        elif name in gen.cases:
                            pass  # checked below as a case
                        elif name not in types:
                            report(path, n, f"{name}(…): no such type or initializer")
                    elif name in gen.functions or name in own.functions:
                        check_labels(path, n, name, signatures(name), labels, trailing)
                    elif name not in STD_FUNCTIONS:
                        report(path, n, f"function {name}(…) is not declared")
                elif callee.type == "navigation_expression":
                    name = text(callee.children[-1], src).lstrip(".")
                    target = callee.children[0]
                    is_case = name in gen.cases and (
                        target.type != "simple_identifier" or text(target, src)[:1].isupper()
                    )
                    if is_case and not (name in gen.functions or name in own.functions):
                        sigs = [s for _, s in gen.cases[name]]
                        check_labels(path, n, name, sigs, labels, trailing)
                    elif name in gen.functions or name in own.functions:
                        check_labels(path, n, name, signatures(name), labels, trailing)
                    elif name not in STD_METHODS:
                        report(path, n, f"method {name}(…) is not declared")
                elif callee.type == "prefix_expression" and text(callee, src).startswith("."):
                    name = text(callee, src).lstrip(".")
                    if name in gen.cases:
                        check_labels(path, n, name, [s for _, s in gen.cases[name]], labels, trailing)
                    elif name in gen.functions:
                        check_labels(path, n, name, gen.functions[name], labels, trailing)
                    elif name not in STD_MEMBERS:
                        report(path, n, f".{name}(…) is not a declared case")
            elif n.type == "navigation_suffix":
                parent = n.parent
                if parent.parent is not None and parent.parent.type == "call_expression" \
                        and parent.parent.children[0] == parent:
                    continue  # a call: checked above
                name = text(n, src).lstrip(".")
                if name.isdigit():
                    continue
                if name not in gen.members | own.members | STD_MEMBERS | STD_METHODS:
                    report(path, n, f"member .{name} is not declared in the generated bindings")
            elif n.type == "prefix_expression" and text(n, src)[:2].lstrip(".").isalpha() \
                    and text(n, src).startswith("."):
                if n.parent.type == "call_expression" and n.parent.children[0] == n:
                    continue
                name = text(n, src).lstrip(".")
                if name.isidentifier() and name not in gen.members | own.members | STD_MEMBERS:
                    report(path, n, f"case .{name} is not declared in the generated bindings")
            elif n.type in ("pattern", "guard_statement", "if_statement", "while_statement"):
                # `case .Name(let a, _)` in catch, switch, if/guard/while case.
                kids = n.children
                for i, c in enumerate(kids):
                    if c.type == "." and i + 1 < len(kids) and kids[i + 1].type == "simple_identifier":
                        name = text(kids[i + 1], src)
                        arity = 0
                        if i + 2 < len(kids) and kids[i + 2].type == "(":
                            for k in kids[i + 3:]:
                                if k.type == ")":
                                    break
                                arity += k.type == "pattern"
                        known = gen.cases.get(name)
                        if known is None:
                            report(path, n, f"case pattern .{name} names no declared case")
                        elif arity and arity not in {a for a, _ in known}:
                            have = sorted({a for a, _ in known})
                            report(path, n, f"case pattern .{name} binds {arity} values, the case has {have}")
            elif n.type == "class_declaration":
                adopted = [text(c, src) for c in n.children if c.type == "inheritance_specifier"]
                body = [c for c in n.children if c.type.endswith("class_body")]
                for proto in adopted:
                    for req_name, req in gen.protocols.get(proto, []):
                        impls = []
                        for b in body:
                            for f in walk(b):
                                if f.type == "function_declaration" and name_child(f, src) == req_name:
                                    impls.append(params_of(f, src, ""))
                        if not any([l for l, _ in s.params] == [l for l, _ in req.params] for s in impls):
                            report(path, n, f"{proto} requires {req.render(req_name)}, not implemented")
    return findings


def main():
    args = sys.argv[1:]
    if "--generated" not in args or "--" not in args:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    generated = args[args.index("--generated") + 1:args.index("--")]
    handwritten = args[args.index("--") + 1:]
    findings = check(generated, handwritten)
    for f in findings:
        print(f)
    print(f"swift-drift: {len(handwritten)} hand-written files against {len(generated)} generated: "
          f"{len(findings)} finding(s)")
    sys.exit(1 if findings else 0)


if __name__ == "__main__":
    main()
