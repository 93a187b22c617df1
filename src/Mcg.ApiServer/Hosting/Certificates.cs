using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Mcg.ApiServer.Hosting;

/// <summary>A private CA and a serving certificate for 127.0.0.1/localhost, generated into the data directory once.</summary>
public sealed class Certificates
{
    private Certificates(X509Certificate2 ca, X509Certificate2 serving)
    {
        Ca = ca;
        Serving = serving;
    }

    public X509Certificate2 Ca { get; }
    public X509Certificate2 Serving { get; }

    public string CaPem => Ca.ExportCertificatePem();

    public static Certificates LoadOrCreate(string dir)
    {
        var caCrt = Path.Combine(dir, "ca.crt");
        var caKey = Path.Combine(dir, "ca.key");
        var crt = Path.Combine(dir, "server.crt");
        var key = Path.Combine(dir, "server.key");
        if (!File.Exists(caCrt) || !File.Exists(caKey))
        {
            using var caRsa = RSA.Create(2048);
            var req = new CertificateRequest("CN=mcg-ca", caRsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            req.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
            req.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
            req.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(req.PublicKey, false));
            using var ca = req.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(10));
            WriteSecret(caKey, caRsa.ExportPkcs8PrivateKeyPem());
            File.WriteAllText(caCrt, ca.ExportCertificatePem());
            File.Delete(crt);
        }
        var caCert = X509Certificate2.CreateFromPemFile(caCrt, caKey);
        if (!File.Exists(crt) || !File.Exists(key))
        {
            using var rsa = RSA.Create(2048);
            var req = new CertificateRequest("CN=mcg-apiserver", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            var san = new SubjectAlternativeNameBuilder();
            san.AddIpAddress(IPAddress.Loopback);
            san.AddDnsName("localhost");
            san.AddDnsName("kubernetes.default.svc");
            req.CertificateExtensions.Add(san.Build());
            req.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
            req.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
            req.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
            var serial = RandomNumberGenerator.GetBytes(16);
            serial[0] &= 0x7f;
            using var cert = req.Create(caCert, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(5), serial);
            WriteSecret(key, rsa.ExportPkcs8PrivateKeyPem());
            File.WriteAllText(crt, cert.ExportCertificatePem());
        }
        var serving = X509Certificate2.CreateFromPemFile(crt, key);
        // Kestrel on Linux needs the key in an exportable, ephemeral-free form.
        serving = X509CertificateLoader.LoadPkcs12(serving.Export(X509ContentType.Pkcs12), null);
        return new Certificates(caCert, serving);
    }

    internal static void WriteSecret(string path, string content)
    {
        File.WriteAllText(path, content);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }
}
