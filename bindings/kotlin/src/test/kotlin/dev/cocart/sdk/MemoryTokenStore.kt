package dev.cocart.sdk

import java.util.concurrent.ConcurrentHashMap
import java.util.concurrent.atomic.AtomicInteger

/** An app-side session store: the session string in a map, as a Keystore-backed store would hold it. */
class MemoryTokenStore(private val locked: Boolean = false) : SessionStore {
    private val map = ConcurrentHashMap<String, String>()
    val saves = AtomicInteger()

    override suspend fun load(): String? {
        if (locked) throw StoreFailure.Unavailable("keystore locked")
        return map[KEY]
    }

    override suspend fun save(session: String) {
        map[KEY] = session
        saves.incrementAndGet()
    }

    override suspend fun clear() {
        map.remove(KEY)
    }

    fun raw(): String? = map[KEY]

    private companion object {
        const val KEY = "cocart.session"
    }
}
