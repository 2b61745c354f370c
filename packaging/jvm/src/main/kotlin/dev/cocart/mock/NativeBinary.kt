package dev.cocart.mock

import java.io.IOException
import java.nio.file.FileSystems
import java.nio.file.Files
import java.nio.file.Path
import java.nio.file.StandardCopyOption
import java.nio.file.attribute.PosixFilePermissions

/**
 * The `cocart-mock` binary bundled in this jar for one platform, at
 * `dev/cocart/mock/native/<platform>/cocart-mock` (`.exe` on Windows). It is copied once per JVM
 * to a new temporary directory only the current user can read, and deleted when the JVM exits.
 */
internal object NativeBinary {
    private var extracted: Path? = null

    /** This JVM's platform as the jar names it: `linux-x86_64`, `macos-aarch64`, `windows-x86_64`, … */
    fun platform(): String {
        val name = System.getProperty("os.name").lowercase()
        val os = when {
            name.startsWith("linux") -> "linux"
            name.startsWith("mac") || name.startsWith("darwin") -> "macos"
            name.startsWith("windows") -> "windows"
            else -> name.replace(Regex("[^a-z0-9]"), "")
        }
        val arch = when (val a = System.getProperty("os.arch").lowercase()) {
            "amd64", "x86_64", "x86-64" -> "x86_64"
            "aarch64", "arm64" -> "aarch64"
            else -> a.replace(Regex("[^a-z0-9_]"), "")
        }
        return "$os-$arch"
    }

    /** The resource name of this platform's binary. */
    fun resource(platform: String = platform()): String {
        val exe = if (platform.startsWith("windows-")) ".exe" else ""
        return "dev/cocart/mock/native/$platform/cocart-mock$exe"
    }

    /** The extracted binary, extracting it on the first call. */
    @Synchronized
    fun path(): Path {
        extracted?.let { if (Files.isExecutable(it)) return it }
        val resource = resource()
        val input = NativeBinary::class.java.classLoader.getResourceAsStream(resource)
            ?: throw MockStartException(
                "this cocart-mock-junit jar has no cocart-mock binary for ${platform()} ($resource is not on the " +
                    "classpath); build one for this platform with packaging/jvm/package.sh",
            )
        val posix = "posix" in FileSystems.getDefault().supportedFileAttributeViews()
        val dir = if (posix) {
            Files.createTempDirectory("cocart-mock-", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")))
        } else {
            Files.createTempDirectory("cocart-mock-")
        }
        val file = dir.resolve(resource.substringAfterLast('/'))
        input.use { Files.copy(it, file, StandardCopyOption.REPLACE_EXISTING) }
        if (posix) {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwx------"))
        } else {
            file.toFile().setExecutable(true, true)
        }
        extracted = file
        return file
    }

    /**
     * Starts [command]. A binary written a moment ago can be refused with ETXTBSY ("Text file
     * busy") while another thread's fork still holds the write handle; that is retried.
     */
    fun spawn(command: List<String>): Process {
        var attempt = 0
        while (true) {
            try {
                return ProcessBuilder(command).start()
            } catch (e: IOException) {
                if (attempt++ >= 5 || e.message?.contains("Text file busy") != true) {
                    throw MockStartException("cannot start ${command.first()}: ${e.message}", e)
                }
                Thread.sleep(20L * attempt)
            }
        }
    }

    /** Deletes the extracted binary and its directory (JVM shutdown). */
    @Synchronized
    fun deleteExtracted() {
        val file = extracted ?: return
        extracted = null
        runCatching {
            Files.deleteIfExists(file)
            Files.deleteIfExists(file.parent)
        }
    }
}
