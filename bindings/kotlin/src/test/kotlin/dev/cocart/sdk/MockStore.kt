package dev.cocart.sdk

import java.io.BufferedReader
import java.io.InputStreamReader
import java.net.URI
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse
import java.time.Duration
import java.util.concurrent.TimeUnit

/**
 * A real `cocart-mock` process on 127.0.0.1 (`--port 0`), with its `/__mock/` controls.
 * The binary comes from the `cocart.mock.bin` system property (set by the Maven build).
 */
class MockStore(vararg extraArgs: String) : AutoCloseable {
    private val process: Process
    val baseUrl: String
    private val http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()

    init {
        val bin = System.getProperty("cocart.mock.bin")
            ?: error("system property cocart.mock.bin is not set")
        process = ProcessBuilder(listOf(bin, "--port", "0") + extraArgs)
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start()
        val out = BufferedReader(InputStreamReader(process.inputStream))
        val first = out.readLine()
        val url = first?.let { Regex("listening on (http://127\\.0\\.0\\.1:\\d+)").find(it) }
        if (url == null) {
            process.destroyForcibly()
            error("cocart-mock did not announce its URL (first line: $first)")
        }
        baseUrl = url.groupValues[1]
        // Never leave the mock behind, even if the JVM exits without running @AfterAll.
        Runtime.getRuntime().addShutdownHook(Thread { process.destroyForcibly() })
        // Keep draining stdout so that the process never blocks on a full pipe.
        Thread { out.useLines { lines -> lines.forEach { } } }.apply { isDaemon = true }.start()
    }

    private fun send(method: String, path: String, body: String? = null): String {
        val publisher = body?.let { HttpRequest.BodyPublishers.ofString(it) }
            ?: HttpRequest.BodyPublishers.noBody()
        val request = HttpRequest.newBuilder(URI.create(baseUrl + path))
            .timeout(Duration.ofSeconds(10))
            .header("Content-Type", "application/json")
            .method(method, publisher)
            .build()
        val response = http.send(request, HttpResponse.BodyHandlers.ofString())
        check(response.statusCode() in 200..299) { "$method $path: HTTP ${response.statusCode()} ${response.body()}" }
        return response.body()
    }

    /** Back to the seeded state (users, carts, sessions, clock, journal, faults). */
    fun reset() { send("POST", "/__mock/reset") }

    /** Moves the store's clock. */
    fun advanceClock(seconds: Long) { send("POST", "/__mock/clock", """{"advance":$seconds}""") }

    /** Schedules a fault, e.g. a delay on a route. */
    fun addFault(json: String) { send("POST", "/__mock/faults", json) }

    /** Empties the journal. */
    fun clearJournal() { send("DELETE", "/__mock/journal") }

    /** The journal as (method, path, status), in arrival order. */
    fun journal(): List<JournalEntry> {
        val body = send("GET", "/__mock/journal")
        return Regex("\\{[^{}]*\\}").findAll(body).map { m ->
            fun field(name: String) = Regex("\"$name\":\"?([^\",}]*)\"?").find(m.value)?.groupValues?.get(1) ?: ""
            JournalEntry(field("method"), field("path"), field("status").toInt())
        }.toList()
    }

    /** Statuses of the refresh requests in the journal. */
    fun refreshStatuses(): List<Int> = journal().filter { it.path == REFRESH_PATH }.map { it.status }

    override fun close() {
        process.destroy()
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS)
        }
    }

    data class JournalEntry(val method: String, val path: String, val status: Int)

    companion object {
        const val REFRESH_PATH = "/wp-json/cocart/jwt/refresh-token"
    }
}
