package dev.cocart.mock

import java.net.URI
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse
import java.time.Duration
import java.util.Base64

/** A plain HTTP client for the store routes, as a test's client under test would use them. */
object Store {
    private val http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build()

    fun send(
        mock: CoCartMock,
        method: String,
        path: String,
        body: String? = null,
        authorization: String? = null,
    ): HttpResponse<String> {
        val builder = HttpRequest.newBuilder(URI.create(mock.url + path))
            .timeout(Duration.ofSeconds(10))
            .method(method, body?.let { HttpRequest.BodyPublishers.ofString(it) } ?: HttpRequest.BodyPublishers.noBody())
        if (body != null) builder.header("Content-Type", "application/json")
        if (authorization != null) builder.header("Authorization", authorization)
        return http.send(builder.build(), HttpResponse.BodyHandlers.ofString())
    }

    fun basic(user: String, password: String) =
        "Basic " + Base64.getEncoder().encodeToString("$user:$password".toByteArray())

    /** POST /login with Basic credentials; answers the response. */
    fun login(mock: CoCartMock, user: String, password: String) =
        send(mock, "POST", "/wp-json/cocart/v2/login", authorization = basic(user, password))

    /** A JSON object's field, from a response body. */
    fun field(body: String, name: String): Any? = (Json.parse(body) as Map<*, *>)[name]
}
