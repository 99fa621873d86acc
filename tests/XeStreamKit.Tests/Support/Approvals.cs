namespace XeStreamKit.Tests.Support;

/// <summary>Shouldly approval files live in an approvals/ folder beside the test source.</summary>
[Shouldly.ShouldlyMethods]
public static class Approvals
{
    public static void ShouldMatchApprovedText(this string text, string? discriminator = null) =>
        text.ShouldMatchApproved(c =>
        {
            c.SubFolder("approvals").NoDiff().WithFileExtension("txt");
            if (discriminator is not null) c.WithDiscriminator(discriminator);
        });
}
