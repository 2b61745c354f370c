package dev.cocart.sdk

import dev.cocart.mock.CoCartMock

/**
 * The tests' words for the mock store. The process itself is run by dev.cocart:cocart-mock-junit
 * (CoCartMockExtension in each test class, built and installed by bindings/scripts/test-kotlin.sh).
 */
object MockStore {
    const val REFRESH_PATH = "/wp-json/cocart/jwt/refresh-token"
}

val CoCartMock.baseUrl: String get() = url

/** Schedules a fault given as the JSON body of `POST /__mock/faults`. */
fun CoCartMock.addFault(json: String) {
    control("POST", "/__mock/faults", json)
}

/** Statuses of the refresh requests in the journal. */
fun CoCartMock.refreshStatuses(): List<Int> = journal().filter { it.path == MockStore.REFRESH_PATH }.map { it.status }
