package dev.cocart.mock

import java.nio.file.Path

/** The CoCart JWT Authentication generation the mock plays (`--plugin`). */
enum class Plugin(internal val wire: String) {
    /** 3.x (the default): 403 errors, one session per login. */
    V3("v3"),

    /** 2.x: 401 errors, one refresh token per user, stateless access tokens. */
    V2("v2"),
    ;

    internal companion object {
        fun of(wire: String): Plugin = entries.first { it.wire == wire }
    }
}

/** `WP_ENVIRONMENT_TYPE` (`--environment`): `STAGING` and `PRODUCTION` refuse Basic auth. */
enum class Environment(internal val wire: String) {
    LOCAL("local"),
    DEVELOPMENT("development"),
    STAGING("staging"),
    PRODUCTION("production"),
    ;

    internal companion object {
        fun of(wire: String): Environment = entries.first { it.wire == wire }
    }
}

/**
 * How the host treats the `Authorization` header (`--host-profile`): [STANDARD],
 * [STRIP_AUTHORIZATION], or [customAuthHeader] (a header the host passes on instead).
 */
class HostProfile private constructor(internal val wire: String) {
    override fun equals(other: Any?) = other is HostProfile && other.wire == wire
    override fun hashCode() = wire.hashCode()
    override fun toString() = wire

    companion object {
        @JvmField val STANDARD = HostProfile("standard")

        @JvmField val STRIP_AUTHORIZATION = HostProfile("strip-authorization")

        /** `custom-auth-header:<name>`: [name] carries the credentials when Authorization is empty. */
        @JvmStatic fun customAuthHeader(name: String) = HostProfile("custom-auth-header:$name")

        internal fun of(wire: String) = HostProfile(wire)
    }
}

/**
 * What a mock starts with: each field is one command-line option of `cocart-mock` (its README,
 * "Command line"); `null` keeps the mock's default. [users] are `username to password` (email
 * `username@example.com`); without users here or in [seedFile], the demo customer `demo` /
 * `demo-password` is seeded. [extraArgs] go to the binary as they are (e.g. `--rate-limit`).
 */
data class MockProfile(
    val plugin: Plugin? = null,
    val hostProfile: HostProfile? = null,
    val environment: Environment? = null,
    val accessTtlSeconds: Long? = null,
    val refreshTtlSeconds: Long? = null,
    val seedFile: Path? = null,
    val users: List<Pair<String, String>> = emptyList(),
    val extraArgs: List<String> = emptyList(),
) {
    /** The command-line options for this profile (after `--port 0`). */
    internal fun args(): List<String> = buildList {
        plugin?.let { add("--plugin"); add(it.wire) }
        hostProfile?.let { add("--host-profile"); add(it.wire) }
        environment?.let { add("--environment"); add(it.wire) }
        accessTtlSeconds?.let { add("--access-ttl"); add(it.toString()) }
        refreshTtlSeconds?.let { add("--refresh-ttl"); add(it.toString()) }
        seedFile?.let { add("--seed"); add(it.toAbsolutePath().toString()) }
        users.forEach { (user, password) -> add("--user"); add("$user:$password") }
        addAll(extraArgs)
    }

    /** Passwords are not shown. */
    override fun toString() = "MockProfile(plugin=$plugin, hostProfile=$hostProfile, environment=$environment, " +
        "accessTtlSeconds=$accessTtlSeconds, refreshTtlSeconds=$refreshTtlSeconds, seedFile=$seedFile, " +
        "users=${users.map { it.first }}, extraArgs=${extraArgs.size})"
}

/**
 * One request the mock received (`GET /__mock/journal`), in arrival order. [status] is `0` while
 * the request is in flight or when it ended without an answer; [auth] is `bearer`, `basic` or
 * `none` (the credentials that reached the store after the host profile).
 */
data class JournalEntry(
    val method: String,
    val path: String,
    val query: String,
    val status: Int,
    val auth: String,
)

/** A customer of the mock (`GET /__mock/users`); passwords are never listed. */
data class MockUser(
    val id: Long,
    val username: String,
    val email: String,
    val firstName: String,
    val lastName: String,
)

/** The mock's runtime configuration (`GET`/`PUT /__mock/config`); the secret is never shown. */
data class MockSettings(
    val plugin: Plugin,
    val hostProfile: HostProfile,
    val accessTtlSeconds: Long,
    val refreshTtlSeconds: Long,
    val hasSecret: Boolean,
    val rateLimit: Boolean,
    val environment: Environment,
)

/**
 * A change of the runtime configuration (`PUT /__mock/config`); `null` fields stay as they are.
 * [secret] sets the JWT secret; [removeSecret] runs the mock without one (every Bearer and refresh
 * then fails as on a misconfigured store).
 */
class ConfigChange(
    val plugin: Plugin? = null,
    val hostProfile: HostProfile? = null,
    val accessTtlSeconds: Long? = null,
    val refreshTtlSeconds: Long? = null,
    val rateLimit: Boolean? = null,
    val environment: Environment? = null,
    private val secret: String? = null,
    val removeSecret: Boolean = false,
) {
    init {
        require(secret == null || !removeSecret) { "give a secret or removeSecret, not both" }
    }

    internal fun body(): Map<String, Any?> = buildMap {
        plugin?.let { put("plugin", it.wire) }
        hostProfile?.let { put("host_profile", it.wire) }
        accessTtlSeconds?.let { put("access_ttl", it) }
        refreshTtlSeconds?.let { put("refresh_ttl", it) }
        rateLimit?.let { put("rate_limit", it) }
        environment?.let { put("environment", it.wire) }
        if (secret != null) put("secret", secret)
        if (removeSecret) put("secret", null)
    }

    /** The secret is not shown. */
    override fun toString() = "ConfigChange(" + body().map { (k, v) ->
        if (k == "secret" && v != null) "secret=[redacted]" else "$k=$v"
    }.joinToString(", ") + ")"
}

/** What a [Fault] does to a request. */
enum class FaultKind(internal val wire: String) {
    /** Answers an HTTP error status with WordPress's critical-error body, before any handler. */
    STATUS("status"),

    /** Sleeps, then handles the request normally. */
    DELAY("delay"),

    /** Closes the connection without any answer. */
    DROP("drop"),
    ;

    internal companion object {
        fun of(wire: String): FaultKind = entries.first { it.wire == wire }
    }
}

/**
 * A fault for the next [times] requests to [path] (the REST path as routed, e.g.
 * `/wp-json/cocart/jwt/refresh-token`, no query string). Build one with [status], [delay] or
 * [drop]; [CoCartMock.faults] answers pending faults with their remaining counts.
 */
data class Fault(
    val path: String,
    val kind: FaultKind,
    val times: Int = 1,
    val status: Int? = null,
    val delayMs: Long? = null,
) {
    internal fun body(): Map<String, Any?> = buildMap {
        put("path", path)
        put("times", times)
        put("kind", kind.wire)
        status?.let { put("status", it) }
        delayMs?.let { put("ms", it) }
    }

    companion object {
        /** Answer [status] (400–599) to the next [times] requests to [path]. */
        @JvmStatic @JvmOverloads
        fun status(path: String, status: Int, times: Int = 1) = Fault(path, FaultKind.STATUS, times, status = status)

        /** Hold the next [times] requests to [path] for [ms] milliseconds, then answer them. */
        @JvmStatic @JvmOverloads
        fun delay(path: String, ms: Long, times: Int = 1) = Fault(path, FaultKind.DELAY, times, delayMs = ms)

        /** Close the connection of the next [times] requests to [path] without an answer. */
        @JvmStatic @JvmOverloads
        fun drop(path: String, times: Int = 1) = Fault(path, FaultKind.DROP, times)
    }
}

/** A control answered an error (the mock's `code` and `message`), e.g. an unknown user id. */
class MockControlException(
    val method: String,
    val path: String,
    val status: Int,
    val code: String?,
    message: String,
) : RuntimeException("$method $path: HTTP $status ${code ?: ""} $message".trimEnd())

/** The mock could not be started (no binary for this platform, bad profile, no URL announced). */
class MockStartException(message: String, cause: Throwable? = null) : RuntimeException(message, cause)
