"""A small, independent parser for .cnn files (docs/language.md §2).

It reads networks, input/target declarations, nodes `name = op(args);`, the loss and the train
block's plain settings, and binds every node's arguments to the operation's parameters with the
defaults of docs/language.md §3. It does not share code with the Java compiler on purpose: the fixtures
it helps to write are the independent reference the code generator is tested against.
"""

import re
from dataclasses import dataclass, field

# Longest match first, as ANTLR does: DIMS before FLOAT before INT, NAME after the numbers.
_TOKEN = re.compile(r"""
    (?P<ws>[ \t\r\n\f]+)
  | (?P<line_comment>//[^\r\n]*)
  | (?P<block_comment>/\*.*?\*/)
  | (?P<dims>[0-9]+(?:x[0-9]+)+)
  | (?P<float>(?:[0-9]+\.[0-9]*(?:[eE][+-]?[0-9]+)?|\.[0-9]+(?:[eE][+-]?[0-9]+)?|[0-9]+[eE][+-]?[0-9]+))
  | (?P<int>[0-9]+)
  | (?P<name>[a-zA-Z_][a-zA-Z_0-9]*)
  | (?P<punct>[{}();:,=\-])
""", re.VERBOSE | re.DOTALL)


class CnnError(Exception):
    """A problem in a .cnn file, with its file:line:column."""


@dataclass
class Token:
    kind: str  # dims, float, int, name, punct, eof
    text: str
    line: int
    col: int


@dataclass
class Node:
    name: str
    op: str
    inputs: list  # names of the tensors it reads
    args: dict  # bound, with defaults filled in
    line: int


@dataclass
class Network:
    name: str
    source: str  # the file it came from, for messages
    inputs: dict = field(default_factory=dict)  # name -> (C, H, W), in declaration order
    targets: dict = field(default_factory=dict)
    nodes: list = field(default_factory=list)
    loss: tuple = None  # (op, y, z)
    train: dict = field(default_factory=dict)


def tokenize(text, path):
    tokens, pos, line, col = [], 0, 1, 1
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m:
            raise CnnError(f"{path}:{line}:{col}: unexpected character {text[pos]!r}")
        kind, s = m.lastgroup, m.group()
        if kind not in ("ws", "line_comment", "block_comment"):
            tokens.append(Token(kind, s, line, col))
        newlines = s.count("\n")
        line, col = (line + newlines, len(s) - s.rfind("\n")) if newlines else (line, col + len(s))
        pos = m.end()
    tokens.append(Token("eof", "", line, col))
    return tokens


# Values are tagged tuples: ("name", s) ("int", n) ("float", x) ("dims", [..]) ("bool", b) ("pair", (m, n)).
class _Parser:
    def __init__(self, text, path):
        self.path = path
        self.toks = tokenize(text, path)
        self.i = 0

    def peek(self, k=0):
        return self.toks[self.i + k]

    def fail(self, tok, what):
        raise CnnError(f"{self.path}:{tok.line}:{tok.col}: expected {what}, found {tok.text or 'end of file'!r}")

    def take(self, kind, text=None):
        t = self.peek()
        if t.kind != kind or (text is not None and t.text != text):
            self.fail(t, repr(text) if text else kind)
        self.i += 1
        return t

    def is_punct(self, text, k=0):
        t = self.peek(k)
        return t.kind == "punct" and t.text == text

    def file(self):
        nets = []
        while self.peek().kind != "eof":
            nets.append(self.network())
        if not nets:
            self.fail(self.peek(), "'network'")
        return nets

    def network(self):
        self.take("name", "network")
        net = Network(self.take("name").text, self.path)
        self.take("punct", "{")
        while not self.is_punct("}"):
            self.statement(net)
        self.take("punct", "}")
        return net

    def statement(self, net):
        t = self.peek()
        if t.kind != "name":
            self.fail(t, "a statement")
        # The words of the language are soft keywords: `input = relu(x);` defines a tensor.
        if self.is_punct("=", 1):
            name = self.take("name").text
            self.take("punct", "=")
            op = self.take("name")
            args = self.call_args()
            self.take("punct", ";")
            net.nodes.append((name, op, args))
        elif t.text in ("input", "target"):
            self.i += 1
            name = self.take("name").text
            self.take("punct", ":")
            d = self.peek()
            if d.kind not in ("dims", "int"):
                self.fail(d, "C or CxHxW")
            self.i += 1
            dims = [int(v) for v in d.text.split("x")]
            if len(dims) not in (1, 3) or min(dims) < 1:
                raise CnnError(f"{self.path}:{d.line}:{d.col}: {t.text} '{name}' needs C or CxHxW, found {d.text}")
            chw = tuple(dims) if len(dims) == 3 else (dims[0], 1, 1)
            (net.inputs if t.text == "input" else net.targets)[name] = chw
            self.take("punct", ";")
        elif t.text == "loss":
            self.i += 1
            op = self.take("name")
            args = self.call_args()
            self.take("punct", ";")
            if net.loss is not None:
                raise CnnError(f"{self.path}:{t.line}:{t.col}: a second loss")
            net.loss = (op, args)
        elif t.text == "train":
            self.i += 1
            self.take("punct", "{")
            while not self.is_punct("}"):
                if self.peek().text == "optimizer" and not self.is_punct("(", 1) and self.peek(1).kind == "name":
                    self.i += 1
                    net.train["optimizer"] = (self.take("name").text, self.call_args())
                else:
                    key = self.take("name").text
                    net.train[key] = self.value()
                self.take("punct", ";")
            self.take("punct", "}")
        else:
            self.fail(t, "input, target, NAME = op(...), loss or train")

    def call_args(self):
        self.take("punct", "(")
        args = []
        if not self.is_punct(")"):
            args.append(self.argument())
            while self.is_punct(","):
                self.i += 1
                args.append(self.argument())
        self.take("punct", ")")
        return args

    def argument(self):
        tok = self.peek()
        key = None
        if tok.kind == "name" and self.is_punct(":", 1):
            key = tok.text
            self.i += 2
        return (key, self.value(), tok)

    def value(self):
        t = self.peek()
        if t.kind == "punct" and t.text == "(":
            self.i += 1
            a = self.signed_int()
            self.take("punct", ",")
            b = self.signed_int()
            self.take("punct", ")")
            return ("pair", (a, b))
        if t.kind == "punct" and t.text == "-":
            self.i += 1
            n = self.peek()
            if n.kind == "int":
                self.i += 1
                return ("int", -int(n.text))
            if n.kind == "float":
                self.i += 1
                return ("float", -float(n.text))
            self.fail(n, "a number after '-'")
        self.i += 1
        if t.kind == "int":
            return ("int", int(t.text))
        if t.kind == "float":
            return ("float", float(t.text))
        if t.kind == "dims":
            return ("dims", [int(v) for v in t.text.split("x")])
        if t.kind == "name":
            if t.text in ("true", "false"):
                return ("bool", t.text == "true")
            return ("name", t.text)
        self.i -= 1
        self.fail(t, "a value")

    def signed_int(self):
        neg = self.is_punct("-")
        if neg:
            self.i += 1
        return -int(self.take("int").text) if neg else int(self.take("int").text)


# Each operation's parameters after its tensor inputs, in positional order, with their defaults
# (docs/language.md §3). Kinds: count (int >= 1), size2 (INT or AxB), pair, bool, number, choice.
_REQUIRED = object()
SIGNATURES = {
    "conv": (1, [("K", "count", _REQUIRED), ("kernel", "size2", _REQUIRED), ("anchor", "pair", None),
                 ("padding", ("same", "valid", "full"), None), ("stride", "size2", (1, 1)),
                 ("bias", "bool", True), ("init", ("he", "xavier"), "he"),
                 ("algo", ("auto", "direct", "winograd", "scalar"), "auto")]),
    "bn": (1, [("per", ("element", "channel"), "element"), ("eps", "number", 1e-5), ("momentum", "number", 0.1)]),
    "relu": (1, []), "sigmoid": (1, []), "tanh": (1, []),
    "leaky_relu": (1, [("slope", "number", 0.01)]), "elu": (1, [("alpha", "number", 1.0)]),
    "maxpool": (1, [("window", "size2", _REQUIRED), ("stride", "size2", None), ("ceil", "bool", False)]),
    "avgpool": (1, [("window", "size2", _REQUIRED), ("stride", "size2", None), ("ceil", "bool", False)]),
    "full": (1, [("K", "count", _REQUIRED), ("bias", "bool", True), ("init", ("he", "xavier"), "he")]),
    "softmax": (1, []),
    "add": (2, []),
    "concat": ("variadic", []),
    "deconv": (1, [("K", "count", _REQUIRED), ("kernel", "size2", _REQUIRED), ("stride", "size2", (1, 1)),
                   ("padding", "pair", (0, 0)), ("output_padding", "pair", (0, 0)),
                   ("bias", "bool", True), ("init", ("he", "xavier"), "he")]),
    "dropout": (1, [("p", "number", 0.5)]),
}


def _convert(path, tok, kind, value, what):
    tag, v = value

    def bad():
        raise CnnError(f"{path}:{tok.line}:{tok.col}: {what} does not take {tag} {v!r}")

    if kind == "count":
        if tag != "int" or v < 1:
            bad()
        return v
    if kind == "size2":
        if tag == "int" and v >= 1:
            return (v, v)
        if tag == "dims" and len(v) == 2 and min(v) >= 1:
            return tuple(v)
        bad()
    if kind == "pair":
        if tag != "pair":
            bad()
        return v
    if kind == "bool":
        if tag != "bool":
            bad()
        return v
    if kind == "number":
        if tag not in ("int", "float"):
            bad()
        return float(v)
    if isinstance(kind, tuple):
        if tag != "name" or v not in kind:
            bad()
        return v
    raise AssertionError(kind)


def _bind(path, name, op_tok, args, defined):
    op = op_tok.text
    if op not in SIGNATURES:
        raise CnnError(f"{path}:{op_tok.line}:{op_tok.col}: unknown operation '{op}'")
    n_in, params = SIGNATURES[op]
    positional = [a for a in args if a[0] is None]
    named = [a for a in args if a[0] is not None]
    if any(a[0] is None for a in args[len(positional):]):
        raise CnnError(f"{path}:{op_tok.line}:{op_tok.col}: positional arguments come first")
    n_tensors, least = (len(positional), 2) if n_in == "variadic" else (n_in, n_in)
    if len(positional) < least:
        raise CnnError(f"{path}:{op_tok.line}:{op_tok.col}: {op} needs {'at least ' if n_in == 'variadic' else ''}{least} tensor(s)")
    inputs = []
    for _, (tag, v), tok in positional[:n_tensors]:
        if tag != "name" or v not in defined:
            raise CnnError(f"{path}:{tok.line}:{tok.col}: '{v}' is not a tensor defined above")
        inputs.append(v)
    rest = positional[n_tensors:]
    if len(rest) > len(params):
        raise CnnError(f"{path}:{op_tok.line}:{op_tok.col}: too many arguments to {op}")
    bound = {}
    for (pname, kind, _), (_, value, tok) in zip(params, rest):
        bound[pname] = _convert(path, tok, kind, value, f"{op} '{name}': '{pname}'")
    kinds = {p[0]: p[1] for p in params}
    for key, value, tok in named:
        if key not in kinds:
            raise CnnError(f"{path}:{tok.line}:{tok.col}: {op} has no argument '{key}'")
        if key in bound:
            raise CnnError(f"{path}:{tok.line}:{tok.col}: argument '{key}' is given twice")
        bound[key] = _convert(path, tok, kinds[key], value, f"{op} '{name}': '{key}'")
    for pname, _, default in params:
        if pname not in bound:
            if default is _REQUIRED:
                raise CnnError(f"{path}:{op_tok.line}:{op_tok.col}: {op} '{name}' needs '{pname}'")
            bound[pname] = default
    if op == "conv" and bound["anchor"] is not None and bound["padding"] is not None:
        raise CnnError(f"{path}:{op_tok.line}:{op_tok.col}: conv '{name}' takes anchor or padding, not both")
    if op in ("maxpool", "avgpool") and bound["stride"] is None:
        bound["stride"] = bound["window"]
    return Node(name, op, inputs, bound, op_tok.line)


def parse(text, path="<string>"):
    """Parses a .cnn text into a list of Network, every node's arguments bound and checked."""
    nets = _Parser(text, path).file()
    for net in nets:
        raw, net.nodes = net.nodes, []
        defined = set(net.inputs) | set(net.targets)
        for name, op_tok, args in raw:
            if name in defined:
                raise CnnError(f"{path}:{op_tok.line}:{op_tok.col}: '{name}' is defined twice")
            net.nodes.append(_bind(path, name, op_tok, args, defined))
            defined.add(name)
        if net.loss is None:
            raise CnnError(f"{path}: network '{net.name}' has no loss")
        op_tok, args = net.loss
        names = [a[1][1] for a in args if a[0] is None and a[1][0] == "name"]
        if op_tok.text != "cross_entropy" or len(names) != 2 or len(args) != 2:
            raise CnnError(f"{path}:{op_tok.line}:{op_tok.col}: expected loss cross_entropy(y, z)")
        y, z = names
        producer = {n.name: n for n in net.nodes}.get(y)
        if producer is None or producer.op != "softmax" or z not in net.targets:
            raise CnnError(f"{path}:{op_tok.line}:{op_tok.col}: cross_entropy needs a softmax output and a target")
        net.loss = ("cross_entropy", y, z)
    return nets


def parse_file(path):
    with open(path, encoding="utf-8") as f:
        return parse(f.read(), str(path))
