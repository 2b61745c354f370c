package dev.cocart.mock

import java.io.IOException
import java.net.URI
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse
import java.time.Duration
import java.util.concurrent.CompletableFuture
import java.util.concurrent.ExecutionException
import java.util.concurrent.TimeUnit
import java.util.concurrent.TimeoutException
import java.util.concurrent.atomic.AtomicBoolean

/**
 * A running `cocart-mock` process on 127.0.0.1 (a free port), started from the binary inside
 * this jar, with one method per test control (`/__mock/`, the mock's README "Test controls").
 *
 * ```
 * CoCartMock.start(MockProfile(accessTtlSeconds = 60)).use { mock ->
 *     // point the client under test at mock.url
 * }
 * ```
 *
 * The process reads nothing from its stdin but exits when that pipe closes: when [close] is
 * called, when the JVM exits (a shutdown hook closes every running mock), and when the JVM is
 * killed (the operating system closes the pipe). No mock outlives the test run.
 */
class CoCartMock private constructor(
    private val process: Process,
    /** The store's base URL, e.g. `http://127.0.0.1:41234` (REST API under `/wp-json/`). */
    val url: String,
) : AutoCloseable {
    private val closed = AtomicBoolean(false)

    /** The mock's console, a web page that shows each user's token lineage (`url` + `/__mock/ui`). */
    val consoleUrl: String get() = "$url/__mock/ui"

    /** The TCP port the mock listens on. */
    val port: Int get() = URI.create(url).port

    /** Whether the process is running (false after [close], or if it died). */
    val isRunning: Boolean get() = process.isAlive

    /** The operating-system process id of the mock. */
    val pid: Long get() = process.pid()

    // --- the controls (names: packaging/controls.json, field "jvm") ---------------------------

    /** Back to the seeded state: users, sessions, carts, configuration, journal, faults, clock. */
    fun reset() {
        control("POST", "/__mock/reset")
    }

    /** The virtual clock, in Unix seconds (every expiry reads it). */
    fun now(): Long = number(obj(control("GET", "/__mock/clock")), "now")

    /** Moves the virtual clock by [seconds] (may be negative); answers the new time. */
    fun advanceClock(seconds: Long): Long =
        number(obj(control("POST", "/__mock/clock", Json.write(mapOf("advance" to seconds)))), "now")

    /** Sets the virtual clock to [unixSeconds]; answers it. */
    fun setClock(unixSeconds: Long): Long =
        number(obj(control("POST", "/__mock/clock", Json.write(mapOf("set" to unixSeconds)))), "now")

    /** Adds a customer; answers its user id. */
    @JvmOverloads
    fun addUser(
        username: String,
        password: String,
        email: String = "$username@example.com",
        firstName: String = "",
        lastName: String = "",
    ): Long {
        val body = mapOf(
            "username" to username, "email" to email, "password" to password,
            "first_name" to firstName, "last_name" to lastName,
        )
        return number(obj(control("POST", "/__mock/users", Json.write(body))), "id")
    }

    /** The customers, in id order (no passwords). */
    fun users(): List<MockUser> = list(control("GET", "/__mock/users")).map {
        val u = it as Map<*, *>
        MockUser(number(u, "id"), text(u, "username"), text(u, "email"), text(u, "first_name"), text(u, "last_name"))
    }

    /**
     * Changes a customer's password and/or email. Like the plugin, this revokes every token of the
     * user (a password change, or an email that differs).
     */
    @JvmOverloads
    fun updateUser(id: Long, password: String? = null, email: String? = null) {
        val body = buildMap {
            password?.let { put("password", it) }
            email?.let { put("email", it) }
        }
        control("PATCH", "/__mock/users/$id", Json.write(body))
    }

    /** Deletes a customer and revokes all of their tokens. */
    fun deleteUser(id: Long) {
        control("DELETE", "/__mock/users/$id")
    }

    /** Every `/wp-json/…` request so far, in arrival order. */
    fun journal(): List<JournalEntry> = list(control("GET", "/__mock/journal")).map {
        val e = it as Map<*, *>
        JournalEntry(text(e, "method"), text(e, "path"), text(e, "query"), number(e, "status").toInt(), text(e, "auth"))
    }

    /** Empties the journal. */
    fun clearJournal() {
        control("DELETE", "/__mock/journal")
    }

    /** Changes the runtime configuration; answers the result. */
    fun configure(change: ConfigChange): MockSettings = settings(obj(control("PUT", "/__mock/config", Json.write(change.body()))))

    /** The runtime configuration. */
    fun config(): MockSettings = settings(obj(control("GET", "/__mock/config")))

    /** Schedules a fault (see [Fault.status], [Fault.delay], [Fault.drop]). */
    fun addFault(fault: Fault) {
        control("POST", "/__mock/faults", Json.write(fault.body()))
    }

    /** The pending faults, with the number of requests each still applies to in [Fault.times]. */
    fun faults(): List<Fault> = list(control("GET", "/__mock/faults")).map {
        val f = it as Map<*, *>
        Fault(
            path = text(f, "path"),
            kind = FaultKind.of(text(f, "kind")),
            times = number(f, "times").toInt(),
            status = (f["status"] as Long?)?.toInt(),
            delayMs = f["ms"] as Long?,
        )
    }

    /** Cancels every pending fault. */
    fun clearFaults() {
        control("DELETE", "/__mock/faults")
    }

    /**
     * Sends a request to a control and answers the response body; for controls this API does not
     * wrap yet. [path] starts with `/__mock/`; [body] is JSON. A non-2xx answer throws
     * [MockControlException] with the mock's error code.
     */
    @JvmOverloads
    fun control(method: String, path: String, body: String? = null): String {
        check(!closed.get()) { "this cocart-mock was stopped" }
        val request = HttpRequest.newBuilder(URI.create(url + path))
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/json")
            .method(method, body?.let { HttpRequest.BodyPublishers.ofString(it) } ?: HttpRequest.BodyPublishers.noBody())
            .build()
        val response = http.send(request, HttpResponse.BodyHandlers.ofString())
        if (response.statusCode() !in 200..299) {
            val error = runCatching { Json.parse(response.body()) as? Map<*, *> }.getOrNull()
            throw MockControlException(
                method, path, response.statusCode(),
                error?.get("code") as? String,
                error?.get("message") as? String ?: response.body(),
            )
        }
        return response.body()
    }

    /**
     * Stops the mock: closes its stdin (it exits on end of input), then terminates it if it is
     * still running after 5 seconds. Safe to call more than once.
     */
    override fun close() {
        if (!closed.compareAndSet(false, true)) return
        running.remove(this)
        stopProcess(process)
    }

    /** Same as [close]. */
    fun stop() = close()

    override fun toString() = "CoCartMock($url, pid ${process.pid()})"

    private fun obj(body: String) = Json.parse(body) as Map<*, *>

    private fun list(body: String) = Json.parse(body) as List<*>

    private fun number(m: Map<*, *>, key: String): Long =
        m[key] as? Long ?: throw IllegalStateException("the mock's answer has no number \"$key\": $m")

    private fun text(m: Map<*, *>, key: String): String =
        m[key] as? String ?: throw IllegalStateException("the mock's answer has no text \"$key\": $m")

    private fun settings(m: Map<*, *>) = MockSettings(
        plugin = Plugin.of(text(m, "plugin")),
        hostProfile = HostProfile.of(text(m, "host_profile")),
        accessTtlSeconds = number(m, "access_ttl"),
        refreshTtlSeconds = number(m, "refresh_ttl"),
        hasSecret = m["secret"] != null,
        rateLimit = m["rate_limit"] as Boolean,
        environment = Environment.of(text(m, "environment")),
    )

    companion object {
        /** How long [start] waits for the mock to announce its URL. */
        private const val START_TIMEOUT_SECONDS = 30L

        private val ANNOUNCE = Regex("^cocart-mock listening on (http://\\S+)$")

        private val http: HttpClient by lazy {
            HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build()
        }

        private val running: MutableSet<CoCartMock> = java.util.concurrent.ConcurrentHashMap.newKeySet()

        /**
         * Starts a mock with [profile] on a free port of 127.0.0.1 and waits until it listens.
         * Throws [MockStartException] when this jar has no binary for this platform or the mock
         * refuses the profile (with the mock's message).
         */
        @JvmStatic
        @JvmOverloads
        fun start(profile: MockProfile = MockProfile()): CoCartMock {
            ShutdownHook.install()
            val binary = NativeBinary.path()
            val command = listOf(binary.toString(), "--port", "0", "--exit-on-stdin-eof") + profile.args()
            val process = NativeBinary.spawn(command)
            val stderr = StderrTail(process)
            val announced = CompletableFuture<String?>()
            Thread({
                try {
                    process.inputStream.bufferedReader().use { out ->
                        announced.complete(out.readLine())
                        // Keep draining so the process never blocks on a full pipe.
                        while (out.readLine() != null) Unit
                    }
                } catch (e: IOException) {
                    announced.complete(null)
                }
            }, "cocart-mock-stdout-${process.pid()}").apply { isDaemon = true }.start()

            val first = try {
                announced.get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS)
            } catch (e: TimeoutException) {
                stopProcess(process)
                throw MockStartException("cocart-mock did not announce its URL within $START_TIMEOUT_SECONDS s${stderr.suffix()}")
            } catch (e: ExecutionException) {
                stopProcess(process)
                throw MockStartException("cocart-mock: reading its output failed", e.cause)
            }
            val url = first?.let { ANNOUNCE.find(it.trim()) }?.groupValues?.get(1)
            if (url == null) {
                val exited = process.waitFor(2, TimeUnit.SECONDS)
                stopProcess(process)
                val how = if (exited) "exited with status ${process.exitValue()}" else "printed ${first?.let { "\"$it\"" } ?: "nothing"}"
                throw MockStartException("cocart-mock ${command.drop(1).joinToString(" ").redactUsers()} $how${stderr.suffix()}")
            }
            val mock = CoCartMock(process, url)
            running.add(mock)
            return mock
        }

        /** `--user name:password` → `--user name:[redacted]`, `--secret S` → `--secret [redacted]`. */
        private fun String.redactUsers() = replace(Regex("(--user \\S+?):\\S+"), "$1:[redacted]")
            .replace(Regex("(--secret[ =])\\S+"), "$1[redacted]")

        private fun stopProcess(process: Process) {
            runCatching { process.outputStream.close() }
            try {
                if (process.waitFor(5, TimeUnit.SECONDS)) return
                process.destroy()
                if (process.waitFor(5, TimeUnit.SECONDS)) return
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS)
            } catch (e: InterruptedException) {
                process.destroyForcibly()
                Thread.currentThread().interrupt()
            }
        }

        /** One JVM shutdown hook for every mock: stops those still running, then deletes the binary. */
        private object ShutdownHook {
            private val installed = AtomicBoolean(false)

            fun install() {
                if (!installed.compareAndSet(false, true)) return
                Runtime.getRuntime().addShutdownHook(
                    Thread({
                        running.toList().forEach { runCatching { it.close() } }
                        NativeBinary.deleteExtracted()
                    }, "cocart-mock-shutdown"),
                )
            }
        }
    }

    /**
     * Drains the process's stderr until it ends: each line goes to this JVM's stderr (prefixed
     * `[cocart-mock]`), the last few KB are kept for error messages.
     */
    private class StderrTail(process: Process) {
        private val tail = StringBuilder()

        init {
            Thread({
                runCatching {
                    process.errorStream.bufferedReader().useLines { lines ->
                        lines.forEach { line ->
                            System.err.println("[cocart-mock] $line")
                            synchronized(tail) {
                                tail.append(line).append('\n')
                                if (tail.length > 8192) tail.delete(0, tail.length - 8192)
                            }
                        }
                    }
                }
            }, "cocart-mock-stderr-${process.pid()}").apply { isDaemon = true }.start()
        }

        fun suffix(): String {
            Thread.sleep(100) // let the reader catch the last lines of a process that just exited
            val text = synchronized(tail) { tail.toString().trim() }
            return if (text.isEmpty()) "" else "; its stderr:\n$text"
        }
    }
}
