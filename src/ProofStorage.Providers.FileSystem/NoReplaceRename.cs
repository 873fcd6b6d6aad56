using System.Runtime.InteropServices;

namespace ProofStorage.Providers.FileSystem;

/// <summary>Atomically gives a finished temp file its final name unless that name exists.</summary>
internal static partial class NoReplaceRename
{
    private const int EEXIST = 17;

    /// <summary>
    /// Returns <see langword="true"/> when <paramref name="path"/> now names the bytes of <paramref name="temp"/>,
    /// <see langword="false"/> when <paramref name="path"/> already existed (left untouched). The caller deletes
    /// <paramref name="temp"/> afterwards either way.
    /// </summary>
    public static bool TryPublish(string temp, string path)
    {
        if (OperatingSystem.IsWindows())
        {
            // MoveFileEx without MOVEFILE_REPLACE_EXISTING is atomic and fails when the target exists.
            try
            {
                File.Move(temp, path, overwrite: false);
                return true;
            }
            catch (IOException) when (File.Exists(path))
            {
                return false;
            }
        }

        if (Link(temp, path) == 0)
        {
            return true;
        }

        var errno = Marshal.GetLastPInvokeError();
        return errno == EEXIST
            ? false
            : throw new IOException($"link(2) failed with errno {errno} while publishing an object.");
    }

    [LibraryImport("libc", EntryPoint = "link", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Link(string oldPath, string newPath);
}
