namespace Stuff.Hosting;

/// <summary>Byte-for-byte comparison, so that copying steps (collectstatic, setup's release step) change nothing when nothing changed.</summary>
public static class FileComparison
{
    public static async Task<bool> SameContentAsync(Stream a, Stream b, CancellationToken cancellationToken = default)
    {
        var bufferA = new byte[81920];
        var bufferB = new byte[81920];
        while (true)
        {
            var readA = await a.ReadAtLeastAsync(bufferA, bufferA.Length, throwOnEndOfStream: false, cancellationToken);
            var readB = await b.ReadAtLeastAsync(bufferB, bufferB.Length, throwOnEndOfStream: false, cancellationToken);
            if (readA != readB || !bufferA.AsSpan(0, readA).SequenceEqual(bufferB.AsSpan(0, readB))) return false;
            if (readA == 0) return true;
        }
    }
}
