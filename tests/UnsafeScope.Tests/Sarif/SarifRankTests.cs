using System.Text.Json;
using UnsafeScope.Driver;

namespace UnsafeScope.Tests.Sarif;

/// <summary>
/// GitHub reads security-severity from a rule only, so a finding's own risk is SARIF's result <c>rank</c>: 100 minus the
/// score of the region it sits in (#17: findings follow the score).
/// </summary>
public sealed class SarifRankTests
{
    [Fact]
    public void AFindingInAScoredRegionIsRankedByItsScore()
    {
        var dir = RepoPaths.Fixtures();
        var result = Analysis.Run(new AnalysisOptions { Paths = [RepoPaths.Fixtures("soundness"), RepoPaths.Fixtures("cargo")], BaseDirectory = dir, Jobs = 1 });
        using var doc = JsonDocument.Parse(SarifTestData.WriteToBytes(result, SarifTestData.Options(dir)));
        int ranked = 0, unranked = 0;
        foreach (var r in doc.RootElement.GetProperty("runs")[0].GetProperty("results").EnumerateArray())
        {
            bool scored = r.TryGetProperty("properties", out var props) && props.TryGetProperty("score", out _);
            if (scored)
            {
                int score = int.Parse(props.GetProperty("score").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
                Assert.Equal(100 - score, r.GetProperty("rank").GetInt32());
                ranked++;
            }
            else
            {
                Assert.False(r.TryGetProperty("rank", out _), r.GetRawText());
                unranked++;
            }
        }
        Assert.True(ranked > 0, "the fixture has findings in scored regions");
        Assert.True(unranked > 0, "and the Cargo fixtures have findings outside them");
    }
}
