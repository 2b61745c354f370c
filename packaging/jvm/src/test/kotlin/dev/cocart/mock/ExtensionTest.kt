package dev.cocart.mock

import dev.cocart.mock.CoCartMockExtension.Lifetime
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNotEquals
import org.junit.jupiter.api.Assertions.assertSame
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.BeforeAll
import org.junit.jupiter.api.BeforeEach
import org.junit.jupiter.api.ClassOrderer
import org.junit.jupiter.api.MethodOrderer
import org.junit.jupiter.api.Nested
import org.junit.jupiter.api.Order
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestClassOrder
import org.junit.jupiter.api.TestInstance
import org.junit.jupiter.api.TestMethodOrder
import org.junit.jupiter.api.extension.RegisterExtension
import java.nio.file.Files

/** Whether the process [pid] is still running. */
internal fun alive(pid: Long) = ProcessHandle.of(pid).map { it.isAlive }.orElse(false)

/**
 * The extension's lifetimes, told apart by the mocks' process ids: per test (a new process for
 * each test, gone after it) and per class (one process for every test of the class, gone after
 * the class), with the profile applied and the mock injected as a parameter.
 */
@TestClassOrder(ClassOrderer.OrderAnnotation::class)
class ExtensionTest {
    @Nested
    @Order(1)
    @TestMethodOrder(MethodOrderer.OrderAnnotation::class)
    inner class PerTest {
        @RegisterExtension
        @JvmField
        val store = CoCartMockExtension(MockProfile(plugin = Plugin.V2, users = listOf("kim" to "kim-pw")))

        private var fromBeforeEach: CoCartMock? = null

        @BeforeEach
        fun before(mock: CoCartMock) {
            fromBeforeEach = mock
        }

        @Test
        @Order(1)
        fun `the first test gets a running mock with the profile`(mock: CoCartMock) {
            assertSame(mock, store.mock)
            assertSame(mock, fromBeforeEach, "@BeforeEach and the test get the same mock")
            assertEquals(Plugin.V2, mock.config().plugin)
            assertEquals(listOf("kim"), mock.users().map { it.username }, "--user replaces the demo customer")
            assertEquals(200, Store.login(mock, "kim", "kim-pw").statusCode())
            perTestPids += mock.pid
        }

        @Test
        @Order(2)
        fun `the second test gets another process and the first one is gone`(mock: CoCartMock) {
            perTestPids += mock.pid
            assertNotEquals(perTestPids[0], perTestPids[1])
            assertFalse(alive(perTestPids[0]), "the first test's mock was stopped after that test")
            assertTrue(alive(mock.pid))
        }
    }

    @Nested
    @Order(2)
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    @TestMethodOrder(MethodOrderer.OrderAnnotation::class)
    inner class PerClassOnAnInstanceField {
        @RegisterExtension
        @JvmField
        val store = CoCartMockExtension(MockProfile(accessTtlSeconds = 77), Lifetime.PER_CLASS)

        @Test
        @Order(1)
        fun `the per-test mocks are all gone`() {
            assertEquals(2, perTestPids.size)
            perTestPids.forEach { assertFalse(alive(it), "mock $it still runs") }
        }

        @Test
        @Order(2)
        fun `every test of the class shares one mock`(mock: CoCartMock) {
            assertEquals(77L, mock.config().accessTtlSeconds)
            mock.addUser("kim", "kim-pw")
            perClassPids += mock.pid
        }

        @Test
        @Order(3)
        fun `state carries over between the tests of the class`(mock: CoCartMock) {
            assertEquals(perClassPids.single(), mock.pid)
            assertEquals(listOf("demo", "kim"), mock.users().map { it.username })
        }
    }

    @Nested
    @Order(3)
    inner class AfterTheClass {
        @Test
        fun `the per-class mock is gone once its class ended`() {
            assertEquals(1, perClassPids.size)
            assertFalse(alive(perClassPids.single()))
        }
    }

    companion object {
        val perTestPids = mutableListOf<Long>()
        val perClassPids = mutableListOf<Long>()
    }
}

/** Per class on a static field: started before @BeforeAll (which can take it as a parameter). */
@TestMethodOrder(MethodOrderer.OrderAnnotation::class)
class StaticPerClassTest {
    @Test
    @Order(1)
    fun `BeforeAll got the same mock as the test`(mock: CoCartMock) {
        assertSame(fromBeforeAll, mock)
        assertSame(store.mock, mock)
        assertTrue(mock.isRunning)
    }

    @Test
    @Order(2)
    fun `the seed file of the profile is loaded`(mock: CoCartMock) {
        assertEquals(listOf("seeded"), mock.users().map { it.username })
        assertEquals(200, Store.login(mock, "seeded", "seed-pw").statusCode())
    }

    companion object {
        private val seed = Files.createTempFile("cocart-seed", ".json").also {
            it.toFile().deleteOnExit()
            Files.writeString(it, """{"users":[{"username":"seeded","email":"s@example.com","password":"seed-pw"}]}""")
        }

        @RegisterExtension
        @JvmField
        val store = CoCartMockExtension(MockProfile(seedFile = seed), Lifetime.PER_CLASS)

        private var fromBeforeAll: CoCartMock? = null

        @BeforeAll
        @JvmStatic
        fun startAll(mock: CoCartMock) {
            fromBeforeAll = mock
        }

        @AfterAll
        @JvmStatic
        fun stillRunningInAfterAll() {
            assertTrue(store.mock.isRunning, "the mock stops after @AfterAll, not before")
        }
    }
}
