package dev.cocart.mock

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertThrows
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import java.nio.file.Files
import java.nio.file.Path
import java.nio.file.attribute.PosixFilePermissions
import java.util.concurrent.Executors
import java.util.concurrent.TimeUnit

/** The process side: where the binary runs from, how it stops, and that it never outlives its JVM. */
class ProcessTest {
    @Test
    fun `the mock runs from a private copy of the binary inside the jar`() {
        val platform = System.getProperty("cocart.mock.platform")
        assertEquals(platform, NativeBinary.platform(), "the jar was built for this platform")
        val resource = javaClass.classLoader.getResource(NativeBinary.resource())
        assertTrue(resource != null, "${NativeBinary.resource()} is on the classpath")
        CoCartMock.start().use { mock ->
            val exe = Files.readSymbolicLink(Path.of("/proc/${mock.pid}/exe"))
            assertTrue(exe.startsWith(Path.of(System.getProperty("java.io.tmpdir")).toRealPath()), "runs from $exe")
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(exe.parent)))
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(exe)))
            assertEquals(Files.size(exe), resource!!.openStream().use { it.readAllBytes().size.toLong() })
            assertTrue(mock.url.matches(Regex("http://127\\.0\\.0\\.1:\\d+")), mock.url)
            assertEquals(200, Store.send(mock, "GET", "/wp-json/cocart/v2/cart").statusCode())
            // The console's address, and the page is there.
            assertEquals(mock.url + "/__mock/ui", mock.consoleUrl)
            val page = Store.send(mock, "GET", "/__mock/ui")
            assertEquals(200, page.statusCode())
            assertTrue(page.headers().firstValue("content-type").orElse("").startsWith("text/html"))
        }
    }

    @Test
    fun `close stops the process and is idempotent`() {
        val mock = CoCartMock.start()
        val pid = mock.pid
        assertTrue(alive(pid))
        mock.close()
        assertFalse(alive(pid))
        assertFalse(mock.isRunning)
        mock.close()
        assertThrows(IllegalStateException::class.java) { mock.now() }
    }

    @Test
    fun `mocks started in parallel each get their own port`() {
        val pool = Executors.newFixedThreadPool(4)
        try {
            val mocks = (1..4).map { pool.submit<CoCartMock> { CoCartMock.start() } }.map { it.get(60, TimeUnit.SECONDS) }
            try {
                assertEquals(4, mocks.map { it.port }.toSet().size)
                mocks.forEach { assertEquals(listOf("demo"), it.users().map { u -> u.username }) }
            } finally {
                mocks.forEach { it.close() }
            }
        } finally {
            pool.shutdown()
        }
    }

    @Test
    fun `a profile the mock refuses fails the start with its message and without passwords`() {
        val e = assertThrows(MockStartException::class.java) {
            CoCartMock.start(
                MockProfile(users = listOf("kim" to "hunter2-secret"), extraArgs = listOf("--secret", "jwt-s3cret", "--no-such-flag")),
            )
        }
        assertFalse("jwt-s3cret" in e.message!!, e.message)
        assertTrue("--no-such-flag" in e.message!!, e.message)
        assertTrue("exited with status" in e.message!!, e.message)
        assertFalse("hunter2-secret" in e.message!!, e.message)
        assertFalse("hunter2-secret" in MockProfile(users = listOf("kim" to "hunter2-secret")).toString())
    }

    /**
     * A test JVM killed with SIGKILL runs no shutdown hook and no @AfterAll: the mock must still
     * go, because its stdin pipe closes with the JVM.
     */
    @Test
    fun `the mock exits when the JVM that started it is killed`() {
        val java = Path.of(System.getProperty("java.home"), "bin", "java").toString()
        val child = ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), ChildJvm::class.java.name)
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start()
        var pid: Long? = null
        try {
            val line = child.inputStream.bufferedReader().readLine()
            pid = requireNotNull(line?.removePrefix("mock pid ")?.toLongOrNull()) { "the child printed $line" }
            assertTrue(alive(pid), "the child's mock runs")
            child.destroyForcibly().waitFor(10, TimeUnit.SECONDS)
            val deadline = System.nanoTime() + 10_000_000_000
            while (alive(pid) && System.nanoTime() < deadline) Thread.sleep(50)
            assertFalse(alive(pid), "the mock outlived its killed JVM by 10 s")
        } finally {
            child.destroyForcibly()
            pid?.let { ProcessHandle.of(it).ifPresent { p -> p.destroyForcibly() } }
        }
    }
}

/** Started by ProcessTest in its own JVM: starts a mock, prints its pid, waits to be killed. */
object ChildJvm {
    @JvmStatic
    fun main(args: Array<String>) {
        val mock = CoCartMock.start()
        println("mock pid ${mock.pid}")
        System.out.flush()
        Thread.sleep(120_000)
    }
}
