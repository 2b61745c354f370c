package dev.cocart.sdk

import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Job
import kotlinx.coroutines.channels.awaitClose
import kotlinx.coroutines.channels.trySendBlocking
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
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

/** Whether a customer is signed in: the value of [CoCartClient.authState]. */
sealed interface AuthState {
    /** A customer is signed in. */
    data class SignedIn(val user: User) : AuthState

    /** Nobody is signed in; [reason] says why the last session ended (`null`: none ended yet). */
    data class SignedOut(val reason: SignOutReason? = null) : AuthState
}

/**
 * The auth state as a [StateFlow]: its value is right from the start (the client's current user)
 * and follows every sign-in and sign-out; a token refresh does not change it.
 *
 * The subscription is made here, before this returns (so no sign-in is missed, and a client
 * closed afterwards is no error), and closed when [scope]'s job completes (a `viewModelScope`,
 * an application scope). A scope without a job (`GlobalScope`) keeps it as long as the client.
 *
 * ```kotlin
 * val state = client.authState(viewModelScope)
 * if (state.value is AuthState.SignedIn) …
 * ```
 */
fun CoCartClient.authState(scope: CoroutineScope): StateFlow<AuthState> {
    val state = MutableStateFlow<AuthState>(currentUser()?.let { AuthState.SignedIn(it) } ?: AuthState.SignedOut())
    val subscription = subscribe(object : AuthEventListener {
        // One event at a time, in order (see subscribe); StateFlow.value is thread-safe.
        override fun onEvent(event: AuthEvent) {
            when (event) {
                is AuthEvent.InitialSession -> state.value = event.user?.let { AuthState.SignedIn(it) } ?: AuthState.SignedOut()
                is AuthEvent.SignedIn -> state.value = AuthState.SignedIn(event.user)
                is AuthEvent.SignedOut -> state.value = AuthState.SignedOut(event.reason)
                is AuthEvent.TokenRefreshed -> Unit
            }
        }
    })
    scope.coroutineContext[Job]?.invokeOnCompletion { subscription.close() }
    return state.asStateFlow()
}
