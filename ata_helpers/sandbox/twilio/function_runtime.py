"""The twin's Twilio Functions runtime: it checks a Function's JavaScript and runs the small voice handlers.

Twilio runs a Function's JavaScript in Node.js (https://www.twilio.com/docs/serverless/functions-assets/functions/invocation).
The twin does not run JavaScript: it parses the source with esprima (an ECMAScript parser, so a
syntax error fails the build as on Twilio) and *interprets* the part of the language the course's
handlers use — `exports.handler = function (context, event, callback) {…}` building a
`Twilio.twiml.VoiceResponse` with `dial`/`number`/`sip`/`say`, string values from `event` and
`context`, `replace`/`split`/`trim`, and `callback(null, twiml)`. Anything else raises
`NotInterpretable` naming the line, and the call that needed it fails as a failing Function does:
the twin never pretends a handler it cannot run did something.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["syntax_error", "run_handler", "NotInterpretable"]


class NotInterpretable(Exception):
    """The handler uses JavaScript the sandbox does not run (the message says where and what)."""


def syntax_error(source: str) -> str | None:
    """The parser's message for a JavaScript syntax error (e.g. 'Line 3: Unexpected token )'), or None."""
    import esprima

    try:
        esprima.parseScript(source, {"loc": True})
    except esprima.Error as exc:
        return str(exc)
    return None


class _Twiml:
    """A TwiML element being built, as the Node.js helper library's objects build it."""

    def __init__(self, element: Any) -> None:
        self.element = element


_VERBS = {"VoiceResponse": {"dial", "say", "hangup", "reject", "pause"},
          "Dial": {"number", "sip", "client"}}


def _where(node: Any) -> str:
    loc = getattr(node, "loc", None)
    return f"line {loc.start.line}" if loc is not None else "somewhere"


def _refuse(node: Any, what: str) -> NotInterpretable:
    return NotInterpretable(f"{_where(node)}: {what} is beyond what the sandbox's Functions runtime runs "
                            "(it interprets the course's voice handlers, not any JavaScript)")


def _js_regex(node: Any) -> re.Pattern[str]:
    flags = 0
    for flag in node.regex.flags or "":
        if flag == "i":
            flags |= re.I
        elif flag == "m":
            flags |= re.M
        elif flag != "g":
            raise _refuse(node, f"the regular expression flag {flag!r}")
    return re.compile(node.regex.pattern, flags)


class _Interpreter:
    def __init__(self, context: dict[str, Any], event: dict[str, Any]) -> None:
        self.scope: dict[str, Any] = {"context": context, "event": event}
        self.result: Any = None
        self.called_back = False

    # -- statements ----------------------------------------------------------------------------
    def run(self, body: list[Any]) -> None:
        for statement in body:
            if self.called_back:
                return
            kind = statement.type
            if kind == "VariableDeclaration":
                for declaration in statement.declarations:
                    if declaration.id.type != "Identifier":
                        raise _refuse(declaration, "destructuring")
                    self.scope[declaration.id.name] = self.value(declaration.init) if declaration.init else None
            elif kind == "ExpressionStatement":
                self.value(statement.expression)
            elif kind == "ReturnStatement":
                if statement.argument is not None:
                    self.value(statement.argument)
                return
            elif kind == "EmptyStatement":
                continue
            else:
                raise _refuse(statement, f"a {kind}")

    # -- expressions ---------------------------------------------------------------------------
    def value(self, node: Any) -> Any:
        kind = node.type
        if kind == "Literal":
            return _js_regex(node) if getattr(node, "regex", None) else node.value
        if kind == "TemplateLiteral":
            parts = []
            for i, quasi in enumerate(node.quasis):
                parts.append(quasi.value.cooked)
                if i < len(node.expressions):
                    parts.append(self._text(self.value(node.expressions[i]), node))
            return "".join(parts)
        if kind == "Identifier":
            if node.name == "undefined":
                return None
            if node.name not in self.scope:
                raise _refuse(node, f"the name {node.name!r}")
            return self.scope[node.name]
        if kind == "MemberExpression":
            return self._member(node)
        if kind == "ObjectExpression":
            out = {}
            for prop in node.properties:
                if prop.type != "Property" or prop.computed:
                    raise _refuse(prop, "a computed or spread property")
                key = prop.key.name if prop.key.type == "Identifier" else prop.key.value
                out[str(key)] = self.value(prop.value)
            return out
        if kind == "BinaryExpression" and node.operator == "+":
            left, right = self.value(node.left), self.value(node.right)
            if isinstance(left, str) or isinstance(right, str):
                return self._text(left, node) + self._text(right, node)
            raise _refuse(node, "arithmetic")
        if kind == "LogicalExpression" and node.operator in ("||", "??"):
            left = self.value(node.left)
            keep = left is not None if node.operator == "??" else bool(left)
            return left if keep else self.value(node.right)
        if kind == "NewExpression":
            return self._new(node)
        if kind == "CallExpression":
            return self._call(node)
        raise _refuse(node, f"a {kind}")

    @staticmethod
    def _text(value: Any, node: Any) -> str:
        if value is None or isinstance(value, (dict, _Twiml, re.Pattern)):
            raise _refuse(node, "joining a non-text value into text")
        if isinstance(value, bool):
            return "true" if value else "false"
        return str(value)

    def _member(self, node: Any) -> Any:
        owner = self.value(node.object)
        if node.computed:
            key = self.value(node.property)
        else:
            key = node.property.name
        if isinstance(owner, dict):
            return owner.get(str(key))
        if isinstance(owner, list) and isinstance(key, (int, float)):
            index = int(key)
            return owner[index] if 0 <= index < len(owner) else None
        if isinstance(owner, str) and key == "length":
            return len(owner)
        raise _refuse(node, f"reading {key!r} of a {type(owner).__name__}")

    def _new(self, node: Any) -> Any:
        from twilio.twiml.voice_response import VoiceResponse

        callee = node.callee
        path: list[str] = []
        while callee.type == "MemberExpression" and not callee.computed:
            path.insert(0, callee.property.name)
            callee = callee.object
        if callee.type == "Identifier":
            path.insert(0, callee.name)
        if path == ["Twilio", "twiml", "VoiceResponse"] and not node.arguments:
            return _Twiml(VoiceResponse())
        raise _refuse(node, f"new {'.'.join(path) or node.callee.type}")

    def _call(self, node: Any) -> Any:
        callee = node.callee
        args = [self.value(a) for a in node.arguments]
        if callee.type == "Identifier" and callee.name == "callback" and "callback" not in self.scope:
            if len(args) < 2 or args[0] is not None:
                raise NotInterpretable(f"{_where(node)}: the handler calls back with an error: {args[:1]!r}")
            self.result, self.called_back = args[1], True
            return None
        if callee.type != "MemberExpression" or callee.computed:
            raise _refuse(node, "calling this function")
        target, method = self.value(callee.object), callee.property.name
        if isinstance(target, str):
            return self._string_method(node, target, method, args)
        if isinstance(target, _Twiml):
            return self._verb(node, target, method, args)
        raise _refuse(node, f"calling {method}() on a {type(target).__name__}")

    def _string_method(self, node: Any, text: str, method: str, args: list[Any]) -> Any:
        if method == "replace" and len(args) == 2 and isinstance(args[1], str):
            pattern, replacement = args
            if isinstance(pattern, re.Pattern):
                global_ = "g" in (node.arguments[0].regex.flags or "")
                return pattern.sub(replacement.replace("\\", "\\\\"), text, count=0 if global_ else 1)
            return text.replace(str(pattern), replacement, 1)
        if method == "split" and len(args) == 1 and isinstance(args[0], str):
            return text.split(args[0])
        if method in ("trim", "toLowerCase", "toUpperCase") and not args:
            return {"trim": text.strip(), "toLowerCase": text.lower(), "toUpperCase": text.upper()}[method]
        if method in ("startsWith", "endsWith", "includes") and len(args) == 1 and isinstance(args[0], str):
            return {"startsWith": text.startswith, "endsWith": text.endswith,
                    "includes": text.__contains__}[method](args[0])
        raise _refuse(node, f"the string method {method}()")

    def _verb(self, node: Any, owner: _Twiml, method: str, args: list[Any]) -> Any:
        kind = type(owner.element).__name__
        if method not in _VERBS.get(kind, set()):
            raise _refuse(node, f"<{kind}>.{method}()")
        attrs: dict[str, Any] = {}
        body: Any = None
        if args and isinstance(args[0], dict):
            attrs, args = args[0], args[1:]
        if args:
            body = self._text(args[0], node)
        for name, value in attrs.items():
            if isinstance(value, (dict, list, _Twiml, re.Pattern)) or value is None:
                raise _refuse(node, f"the attribute {name}")
            attrs[name] = ("true" if value else "false") if isinstance(value, bool) else str(value)
        child = getattr(owner.element, method)(body, **attrs) if body is not None or method in ("number", "sip") \
            else getattr(owner.element, method)(**attrs)
        return _Twiml(child)


def run_handler(source: str, event: dict[str, Any], context: dict[str, Any] | None = None) -> str:
    """Run a Function's handler for `event` (the request's parameters) and return the TwiML it answers.

    Raises NotInterpretable when the source is not a handler the sandbox can interpret, or when the
    handler calls back with an error or with something other than TwiML.
    """
    import esprima

    try:
        tree = esprima.parseScript(source, {"loc": True})
    except esprima.Error as exc:
        raise NotInterpretable(f"syntax error: {exc}") from None
    handler = None
    for statement in tree.body:
        expression: Any = getattr(statement, "expression", None)
        if (statement.type == "ExpressionStatement" and expression.type == "AssignmentExpression"
                and expression.left.type == "MemberExpression" and not expression.left.computed
                and getattr(expression.left.object, "name", None) == "exports"
                and expression.left.property.name == "handler"):
            handler = expression.right
        elif statement.type not in ("EmptyStatement",) and not (
                statement.type == "ExpressionStatement" and expression.type == "Literal"):  # "use strict"
            raise _refuse(statement, f"a top-level {statement.type}")
    if handler is None:
        raise NotInterpretable("the source defines no exports.handler")
    if handler.type not in ("FunctionExpression", "ArrowFunctionExpression") or handler.body.type != "BlockStatement":
        raise _refuse(handler, "a handler that is not a function with a body")
    names = [p.name for p in handler.params if p.type == "Identifier"]
    if names != ["context", "event", "callback"]:
        raise _refuse(handler, f"handler parameters {names} (expected context, event, callback)")
    interpreter = _Interpreter(dict(context or {}), dict(event))
    interpreter.run(handler.body.body)
    if not interpreter.called_back:
        raise NotInterpretable("the handler never calls callback(): Twilio would time out after 10 s (error 82002)")
    if not isinstance(interpreter.result, _Twiml):
        raise NotInterpretable("the handler calls back with something other than a VoiceResponse")
    return str(interpreter.result.element)
