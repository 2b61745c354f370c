package dev.cocart.mock

/**
 * The little JSON the controls need, without a dependency: [parse] reads a document into
 * `Map<String, Any?>`, `List<Any?>`, `String`, `Long` (integers), `Double`, `Boolean` or `null`;
 * [write] turns such values back into text.
 */
internal object Json {
    fun parse(text: String): Any? {
        val reader = Reader(text)
        reader.skipSpace()
        val value = reader.value()
        reader.skipSpace()
        if (!reader.atEnd()) throw reader.error("trailing characters")
        return value
    }

    fun write(value: Any?): String = StringBuilder().also { append(it, value) }.toString()

    private fun append(out: StringBuilder, value: Any?) {
        when (value) {
            null -> out.append("null")
            is String -> quote(out, value)
            is Boolean, is Int, is Long -> out.append(value.toString())
            is Map<*, *> -> {
                out.append('{')
                value.entries.forEachIndexed { i, (k, v) ->
                    if (i > 0) out.append(',')
                    quote(out, k as String)
                    out.append(':')
                    append(out, v)
                }
                out.append('}')
            }
            is List<*> -> {
                out.append('[')
                value.forEachIndexed { i, v ->
                    if (i > 0) out.append(',')
                    append(out, v)
                }
                out.append(']')
            }
            else -> throw IllegalArgumentException("cannot write ${value::class.java.name} as JSON")
        }
    }

    private fun quote(out: StringBuilder, s: String) {
        out.append('"')
        for (c in s) {
            when {
                c == '"' -> out.append("\\\"")
                c == '\\' -> out.append("\\\\")
                c < ' ' -> out.append(String.format("\\u%04x", c.code))
                else -> out.append(c)
            }
        }
        out.append('"')
    }

    private class Reader(val s: String) {
        var i = 0

        fun atEnd() = i >= s.length

        fun error(what: String) = IllegalArgumentException("bad JSON at offset $i: $what")

        fun skipSpace() {
            while (i < s.length && s[i] in " \t\r\n") i++
        }

        fun value(): Any? {
            if (atEnd()) throw error("unexpected end")
            return when (s[i]) {
                '{' -> obj()
                '[' -> array()
                '"' -> string()
                't' -> literal("true", true)
                'f' -> literal("false", false)
                'n' -> literal("null", null)
                else -> number()
            }
        }

        fun literal(word: String, result: Any?): Any? {
            if (!s.startsWith(word, i)) throw error("expected $word")
            i += word.length
            return result
        }

        fun obj(): Map<String, Any?> {
            val map = LinkedHashMap<String, Any?>()
            i++
            skipSpace()
            if (!atEnd() && s[i] == '}') return map.also { i++ }
            while (true) {
                skipSpace()
                if (atEnd() || s[i] != '"') throw error("expected a key")
                val key = string()
                skipSpace()
                expect(':')
                skipSpace()
                map[key] = value()
                skipSpace()
                if (atEnd()) throw error("unexpected end")
                when (s[i++]) {
                    ',' -> continue
                    '}' -> return map
                    else -> throw error("expected , or }")
                }
            }
        }

        fun array(): List<Any?> {
            val list = ArrayList<Any?>()
            i++
            skipSpace()
            if (!atEnd() && s[i] == ']') return list.also { i++ }
            while (true) {
                skipSpace()
                list.add(value())
                skipSpace()
                if (atEnd()) throw error("unexpected end")
                when (s[i++]) {
                    ',' -> continue
                    ']' -> return list
                    else -> throw error("expected , or ]")
                }
            }
        }

        fun expect(c: Char) {
            if (atEnd() || s[i] != c) throw error("expected $c")
            i++
        }

        fun string(): String {
            expect('"')
            val out = StringBuilder()
            while (true) {
                if (atEnd()) throw error("unterminated string")
                when (val c = s[i++]) {
                    '"' -> return out.toString()
                    '\\' -> {
                        if (atEnd()) throw error("unterminated escape")
                        when (val e = s[i++]) {
                            '"', '\\', '/' -> out.append(e)
                            'b' -> out.append('\b')
                            'f' -> out.append('\u000c')
                            'n' -> out.append('\n')
                            'r' -> out.append('\r')
                            't' -> out.append('\t')
                            'u' -> {
                                if (i + 4 > s.length) throw error("short \\u escape")
                                out.append(s.substring(i, i + 4).toInt(16).toChar())
                                i += 4
                            }
                            else -> throw error("bad escape \\$e")
                        }
                    }
                    else -> out.append(c)
                }
            }
        }

        fun number(): Any {
            val start = i
            while (i < s.length && (s[i].isDigit() || s[i] in "+-.eE")) i++
            val text = s.substring(start, i)
            if (text.isEmpty()) throw error("unexpected character")
            return text.toLongOrNull() ?: text.toDoubleOrNull() ?: throw error("bad number $text")
        }
    }
}
