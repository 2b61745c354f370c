package dev.cocart.sdk

import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.channels.awaitClose
import kotlinx.coroutines.channels.trySendBlocking
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.SharingStarted
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.callbackFlow
import kotlinx.coroutines.flow.mapNotNull
import kotlinx.coroutines.flow.stateIn

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
 * The auth state as a hot [StateFlow] that lives as long as [scope] (a `viewModelScope`, an
 * application scope): its value is right from the start (the client's current user) and follows
 * every sign-in and sign-out; a token refresh does not change it. One subscription serves every
 * collector; it is closed when [scope] is cancelled.
 *
 * ```kotlin
 * val state = client.authState(viewModelScope)
 * if (state.value is AuthState.SignedIn) …
 * ```
 */
fun CoCartClient.authState(scope: CoroutineScope): StateFlow<AuthState> =
    authEvents()
        .mapNotNull { event ->
            when (event) {
                is AuthEvent.InitialSession -> event.user?.let { AuthState.SignedIn(it) } ?: AuthState.SignedOut()
                is AuthEvent.SignedIn -> AuthState.SignedIn(event.user)
                is AuthEvent.SignedOut -> AuthState.SignedOut(event.reason)
                is AuthEvent.TokenRefreshed -> null
            }
        }
        .stateIn(scope, SharingStarted.Eagerly, currentUser()?.let { AuthState.SignedIn(it) } ?: AuthState.SignedOut())
