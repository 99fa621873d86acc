namespace XeStreamKit.Tests.Support;

public static class Hex
{
    /// <summary>Bytes from hex text; spaces and '|' separators are ignored.</summary>
    public static byte[] Bytes(string text) =>
        Convert.FromHexString(new string(text.Where(Uri.IsHexDigit).ToArray()));
}
