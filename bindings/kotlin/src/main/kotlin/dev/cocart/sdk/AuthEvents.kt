package dev.cocart.sdk

import kotlinx.coroutines.channels.awaitClose
import kotlinx.coroutines.channels.trySendBlocking
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.callbackFlow

/**
 * The client's auth events as a cold [Flow]. Each collector gets its own subscription, whose
 * first event is [AuthEvent.InitialSession]; cancelling the collector closes the subscription.
 *
 * Events are delivered from a Rust worker thread that may block: a slow collector slows only its
 * own subscription, never the SDK.
 */
fun CoCartClient.authEvents(): Flow<AuthEvent> = callbackFlow {
    val subscription = subscribe(object : AuthEventListener {
        override fun onEvent(event: AuthEvent) {
            // Fails only once the collector is gone; the subscription is then being closed.
            trySendBlocking(event)
        }
    })
    awaitClose { subscription.close() }
}
