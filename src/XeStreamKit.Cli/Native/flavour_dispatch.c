/*
 * The hand-over of the portable native xsk (x86-64-v2) to the AVX-512 flavour (xsk-x86-64-v4),
 * before the .NET runtime starts: an ELF constructor, linked into the portable linux-x64 build
 * only (XeStreamKit.Cli.csproj). Doing it here rather than in Main saves a whole runtime start
 * (GC heap, type managers, the command line) that the exec threw away; see bench/README.md.
 *
 * Same decision as before (and as Native/FlavourDispatch.cs describes for --version --verbose):
 * unless XSK_CPU=portable, when <dir>/xsk-x86-64-v4 or <dir>/../lib/xsk/xsk-x86-64-v4 exists
 * (<dir>: where /proc/self/exe is) and the CPU and the OS support everything the v4 binary is
 * compiled for (x86-64-v4 plus AES/PCLMULQDQ: the runtime refuses to start it otherwise), execv
 * it with the same arguments and environment. When execv fails, the portable binary runs on.
 */
#include <cpuid.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define BIT(n) (1u << (n))

/* x86-64-v4 and AES, as CPUID and XCR0 report them (the checks the runtime makes at start). */
static int cpu_runs_v4(void)
{
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
    /* SSE3 PCLMULQDQ SSSE3 FMA CX16 SSE4.1 SSE4.2 MOVBE POPCNT AES OSXSAVE AVX F16C */
    const unsigned ecx1 = BIT(0) | BIT(1) | BIT(9) | BIT(12) | BIT(13) | BIT(19) | BIT(20) | BIT(22)
                        | BIT(23) | BIT(25) | BIT(27) | BIT(28) | BIT(29);
    if ((c & ecx1) != ecx1 || (d & (BIT(25) | BIT(26))) != (BIT(25) | BIT(26))) return 0;
    unsigned xcr0, xcr0_hi;
    __asm__ volatile("xgetbv" : "=a"(xcr0), "=d"(xcr0_hi) : "c"(0));
    /* The OS saves SSE, AVX, opmask, ZMM_Hi256 and Hi16_ZMM state. */
    if ((xcr0 & 0xE6) != 0xE6) return 0;
    if (__get_cpuid_max(0, 0) < 7) return 0;
    __cpuid_count(7, 0, a, b, c, d);
    /* BMI1 AVX2 BMI2 AVX512F AVX512DQ AVX512CD AVX512BW AVX512VL */
    const unsigned ebx7 = BIT(3) | BIT(5) | BIT(8) | BIT(16) | BIT(17) | BIT(28) | BIT(30) | BIT(31);
    if ((b & ebx7) != ebx7) return 0;
    /* LZCNT */
    if (!__get_cpuid(0x80000001, &a, &b, &c, &d) || !(c & BIT(5))) return 0;
    return 1;
}

static int find_fast(const char *dir, char *out)
{
    static const char *const relative[] = { "/xsk-x86-64-v4", "/../lib/xsk/xsk-x86-64-v4" };
    for (unsigned i = 0; i < sizeof relative / sizeof relative[0]; i++) {
        char candidate[PATH_MAX];
        struct stat st;
        if (strlen(dir) + strlen(relative[i]) >= sizeof candidate) return 0;
        strcpy(candidate, dir);
        strcat(candidate, relative[i]);
        if (stat(candidate, &st) == 0 && !S_ISDIR(st.st_mode) && realpath(candidate, out)) return 1;
    }
    return 0;
}

/* glibc passes the constructors of an executable argc, argv and envp. */
__attribute__((constructor)) static void xsk_flavour_dispatch(int argc, char **argv, char **envp)
{
    (void)argc;
    (void)envp;
    const char *choice = getenv("XSK_CPU");
    if (choice && strcmp(choice, "portable") == 0) return;
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0) return;
    self[n] = 0;
    char *slash = strrchr(self, '/');
    if (!slash) return;
    *slash = 0;
    static char fast[PATH_MAX];
    if (!find_fast(self, fast) || !cpu_runs_v4()) return;
    char *argv0 = argv[0];
    argv[0] = fast;
    execv(fast, argv);
    /* execv returned: the file could not be run; the portable flavour does the job, slower. */
    argv[0] = argv0;
}
