package dev.cocart.mock

import org.junit.jupiter.api.TestInstance
import org.junit.jupiter.api.extension.BeforeAllCallback
import org.junit.jupiter.api.extension.BeforeEachCallback
import org.junit.jupiter.api.extension.ExtensionConfigurationException
import org.junit.jupiter.api.extension.ExtensionContext
import org.junit.jupiter.api.extension.ParameterContext
import org.junit.jupiter.api.extension.ParameterResolutionException
import org.junit.jupiter.api.extension.ParameterResolver

/**
 * A JUnit 5 extension that runs a [CoCartMock] with [profile]:
 *
 * ```
 * @RegisterExtension @JvmField
 * val store = CoCartMockExtension(MockProfile(accessTtlSeconds = 60))
 *
 * @Test fun journey(mock: CoCartMock) { … mock.url … }
 * ```
 *
 * [Lifetime.PER_TEST] (the default) starts a fresh mock before each test (before its
 * `@BeforeEach` methods) and stops it after the test (after its `@AfterEach` methods).
 * [Lifetime.PER_CLASS] starts one mock for the test class and stops it after `@AfterAll`: register
 * it on a static field (a companion `@JvmField`) or in a `@TestInstance(PER_CLASS)` class.
 * Test, `@BeforeEach` and (per class, static field) `@BeforeAll` methods can take a [CoCartMock]
 * parameter; [mock] gives the current one too.
 */
class CoCartMockExtension @JvmOverloads constructor(
    val profile: MockProfile = MockProfile(),
    val lifetime: Lifetime = Lifetime.PER_TEST,
) : BeforeAllCallback, BeforeEachCallback, ParameterResolver {

    /** How long one mock lives. */
    enum class Lifetime { PER_TEST, PER_CLASS }

    @Volatile
    private var current: CoCartMock? = null

    /**
     * The running mock. Under parallel test execution with [Lifetime.PER_TEST] on a static field,
     * prefer a [CoCartMock] parameter (each test gets its own).
     */
    val mock: CoCartMock
        get() = current ?: throw IllegalStateException(
            "no cocart-mock is running: CoCartMockExtension starts it before each test (PER_TEST) or before all " +
                "tests of the class (PER_CLASS)",
        )

    /** The running mock's base URL. */
    val url: String get() = mock.url

    private val namespace = ExtensionContext.Namespace.create(CoCartMockExtension::class.java, this)

    override fun beforeAll(context: ExtensionContext) {
        if (lifetime == Lifetime.PER_CLASS) startIn(context)
    }

    override fun beforeEach(context: ExtensionContext) {
        when (lifetime) {
            Lifetime.PER_TEST -> startIn(context)
            Lifetime.PER_CLASS -> if (lookup(context) == null) {
                // Registered on an instance field: JUnit did not call beforeAll. One mock for the
                // class is only possible when the class has one instance.
                if (context.testInstanceLifecycle.orElse(null) != TestInstance.Lifecycle.PER_CLASS) {
                    throw ExtensionConfigurationException(
                        "CoCartMockExtension with Lifetime.PER_CLASS must be on a static field (companion " +
                            "@JvmField) or in a @TestInstance(PER_CLASS) class; ${context.requiredTestClass.name} is neither",
                    )
                }
                startIn(context.parent.orElse(context))
            }
        }
    }

    override fun supportsParameter(parameterContext: ParameterContext, extensionContext: ExtensionContext) =
        parameterContext.parameter.type == CoCartMock::class.java

    override fun resolveParameter(parameterContext: ParameterContext, extensionContext: ExtensionContext): CoCartMock =
        lookup(extensionContext) ?: throw ParameterResolutionException(
            "no cocart-mock is running for ${parameterContext.declaringExecutable}: with Lifetime.PER_TEST a mock " +
                "exists from @BeforeEach on; for @BeforeAll use Lifetime.PER_CLASS on a static field",
        )

    /** The mock of [context] or of an enclosing context (the store looks upwards). */
    private fun lookup(context: ExtensionContext): CoCartMock? =
        context.getStore(namespace).get(KEY, Running::class.java)?.mock

    /** Starts a mock that stops when [context] ends (JUnit closes the store's resources). */
    private fun startIn(context: ExtensionContext) {
        val mock = CoCartMock.start(profile)
        context.getStore(namespace).put(KEY, Running(mock))
        current = mock
    }

    @Suppress("DEPRECATION")
    private inner class Running(val mock: CoCartMock) : ExtensionContext.Store.CloseableResource, AutoCloseable {
        override fun close() {
            if (current === mock) current = null
            mock.close()
        }
    }

    private companion object {
        const val KEY = "cocart-mock"
    }
}
