# The project's entry point: installs what is missing, builds native/ and the solution, then runs the task.
#
#   dotnet tool restore && dotnet pwsh ./build.ps1 bench    # the harness with every engine
#   dotnet tool restore && dotnet pwsh ./build.ps1 test     # every test (after checking the formatting)
#   dotnet tool restore && dotnet pwsh ./build.ps1 format   # formats the tree as .editorconfig says
#   dotnet tool restore && dotnet pwsh ./build.ps1 publicapi   # rewrites every src/ library's PublicAPI.Unshipped.txt
#
# Tasks: build, test, bench, bdn, native, prereqs, format, publicapi. Arguments after the task go to the program (bench, bdn) or to
# `dotnet test` (test), e.g. `./build.ps1 bench -- --engines nativehnsw,usearch` or `./build.ps1 test -- --filter-class X`.
#
# Prerequisites on Debian: the packages below (checked with dpkg-query) are installed with apt-get when missing,
# as root or through sudo when it needs no password; otherwise the script prints the one command to run and carries
# on, and the FAISS and hnswlib engines report unavailable with the reason. `test` also needs s3rver (npm) for the
# S3 backup tests. USearch comes from its NuGet package and needs nothing here.
#
# No param() block: under `pwsh -File` (which `dotnet pwsh ./build.ps1` is) PowerShell binds named parameters itself
# and refuses '--' and '--option' words, which belong to the harness or to `dotnet test`; so the task and the rest
# are read from $args as they come.
$ErrorActionPreference = 'Stop'
$Tasks = @('build', 'test', 'bench', 'bdn', 'native', 'prereqs', 'format', 'publicapi')
$Task = if ($args.Count -gt 0) { [string]$args[0] } else { 'build' }
if ($Tasks -notcontains $Task) {
    [Console]::Error.WriteLine("build.ps1: unknown task '$Task'; one of: $($Tasks -join ', ')")
    exit 2
}
$Rest = @($args | Select-Object -Skip 1 | ForEach-Object { [string]$_ })
Set-Location $PSScriptRoot
$env:DOTNET_CLI_TELEMETRY_OPTOUT = '1'
$env:DOTNET_NOLOGO = '1'

# The native comparison engines (FAISS C API, hnswlib) and the cmake build of native/.
# libgomp1 is what USearch's libusearch_c.so (from NuGet) needs at load time.
$NativePackages = @('cmake', 'g++', 'make', 'libfaiss-dev', 'libhnswlib-dev', 'libopenblas-dev', 'libgomp1')
# s3rver runs under Node.js (npx); the S3 backup tests start it on loopback. Asked for only when npx is missing, since
# Node.js may come from elsewhere (NodeSource's nodejs package carries npm itself).
$TestPackages = @('nodejs', 'npm')
$S3rverVersion = '3.7.1'

function Write-Step([string]$Text) { Write-Host "== $Text" }

function Test-Command([string]$Name) { $null -ne (Get-Command $Name -CommandType Application -ErrorAction SilentlyContinue) }

# How to run a command as root here: '' when we are root, 'sudo' when sudo works without a password, $null otherwise.
function Get-RootPrefix {
    if ((& id -u) -eq '0') { return '' }
    if (Test-Command 'sudo') {
        & sudo -n true 2>$null
        if ($LASTEXITCODE -eq 0) { return 'sudo' }
    }
    return $null
}

function Invoke-AsRoot([string]$Prefix, [string[]]$Command) {
    if ($Prefix) { & $Prefix @Command } else { & $Command[0] @($Command | Select-Object -Skip 1) }
    if ($LASTEXITCODE -ne 0) { throw "'$($Command -join ' ')' failed with exit code $LASTEXITCODE" }
}

# The Debian packages among $Packages that dpkg does not report as installed ("install ok installed").
function Get-MissingPackages([string[]]$Packages) {
    $missing = @()
    foreach ($package in $Packages) {
        $status = & dpkg-query -W -f '${Status}' $package 2>$null
        if ($LASTEXITCODE -ne 0 -or $status -ne 'install ok installed') { $missing += $package }
    }
    return $missing
}

# Installs the missing packages when it can; returns $true when the native engines' packages are present afterwards.
function Install-DebianPackages([string[]]$Packages, [string]$WhatFor) {
    if (-not $IsLinux -or -not (Test-Command 'dpkg-query')) {
        Write-Step "not a Debian system: not checking $($Packages -join ' ') ($WhatFor)"
        return $true
    }
    $missing = @(Get-MissingPackages $Packages)
    if ($missing.Count -eq 0) { return $true }
    $prefix = Get-RootPrefix
    $install = "apt-get update && apt-get install -y --no-install-recommends $($missing -join ' ')"
    if ($null -eq $prefix) {
        Write-Warning "missing Debian packages for $WhatFor. Run as root: $install"
        Write-Warning "carrying on without them."
        return @($missing | Where-Object { $NativePackages -contains $_ }).Count -eq 0
    }
    Write-Step "installing $($missing -join ' ') ($WhatFor)"
    $env:DEBIAN_FRONTEND = 'noninteractive'
    try {
        Invoke-AsRoot $prefix @('apt-get', 'update', '-qq')
        Invoke-AsRoot $prefix (@('apt-get', 'install', '-y', '-qq', '--no-install-recommends') + $missing)
    }
    catch {
        Write-Warning "$_; carrying on without $($missing -join ' ')."
    }
    return @(Get-MissingPackages $NativePackages).Count -eq 0
}

function Get-TestPackages { if (Test-Command 'npx') { $NativePackages } else { $NativePackages + $TestPackages } }

# s3rver: installed globally when we can, otherwise fetched into npm's own cache for npx (the tests call
# `npx --yes s3rver@VERSION`), so the first S3 test does not wait on a download.
function Install-S3rver {
    if (-not (Test-Command 'npm')) {
        Write-Warning 'npm is not on the PATH: the S3 backup tests will skip (apt-get install nodejs npm).'
        return
    }
    $installed = & npm ls -g --depth=0 --parseable "s3rver@$S3rverVersion" 2>$null
    if ($LASTEXITCODE -eq 0 -and $installed) { return }
    $prefix = Get-RootPrefix
    if ($null -ne $prefix) {
        Write-Step "installing s3rver@$S3rverVersion (npm -g)"
        Invoke-AsRoot $prefix @('npm', 'install', '-g', '--no-audit', '--no-fund', "s3rver@$S3rverVersion")
    }
    else {
        Write-Step "fetching s3rver@$S3rverVersion into the npm cache (npx)"
        & npx --yes "s3rver@$S3rverVersion" --version | Out-Null
        if ($LASTEXITCODE -ne 0) { Write-Warning "npx could not fetch s3rver@${S3rverVersion}: the S3 backup tests will fail." }
    }
}

# native/ through cmake when its prerequisites are there; `dotnet build` runs the same build and skips it, with a
# warning saying why, when they are not.
function Build-Native([bool]$Present) {
    if (-not $Present) {
        Write-Step 'skipping native/ (prerequisites missing): FAISS and hnswlib will report unavailable'
        return
    }
    Write-Step 'building native/ (cmake)'
    if (-not (Test-Path 'native/build/CMakeCache.txt')) {
        & cmake -S native -B native/build -DCMAKE_BUILD_TYPE=Release | Out-Null
        if ($LASTEXITCODE -ne 0) { throw 'cmake configure of native/ failed' }
    }
    & cmake --build native/build --config Release --parallel
    if ($LASTEXITCODE -ne 0) { throw 'cmake build of native/ failed' }
}

function Invoke-Dotnet([string[]]$Arguments) {
    & dotnet @Arguments
    if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
}

# Whitespace and code style (the .editorconfig's rules; analyzers are the build's business) over the solution's
# projects: dotnet format whitespace, then style. $Verify only reports (after a build, so without its own restore).
# Returns $true when the tree is (or now is) formatted.
function Invoke-Format([bool]$Verify) {
    $ok = $true
    foreach ($kind in @('whitespace', 'style')) {
        $formatArgs = @('format', $kind, 'NativeHnsw.sln')
        if ($kind -eq 'style') { $formatArgs += @('--severity', 'warn') }
        if ($Verify) { $formatArgs += @('--verify-no-changes', '--no-restore') }
        & dotnet @formatArgs
        if ($LASTEXITCODE -ne 0) { $ok = $false }
    }
    return $ok
}

# The libraries the PublicApiAnalyzers check: every src/ project with a PublicAPI.Shipped.txt.
function Get-PublicApiProjects {
    Get-ChildItem src -Directory | Where-Object { Test-Path (Join-Path $_.FullName 'PublicAPI.Shipped.txt') } |
        ForEach-Object { Join-Path $_.FullName "$($_.Name).csproj" }
}

# Rewrites each library's PublicAPI.Unshipped.txt as its public surface less PublicAPI.Shipped.txt: the files are
# emptied, the libraries rebuilt with warnings as warnings, and every RS0016 ("Symbol '...' is not part of the
# declared public API") the analyzer reports becomes a line of its project's file, sorted. This reads the analyzer's
# own text rather than running its code fix through `dotnet format analyzers`, because that fix lands in only one
# project per solution run and never sees members a source generator writes (StoreJsonContext's). A symbol removed
# from PublicAPI.Shipped.txt's surface is left to fail the build (RS0017): un-shipping is an edit by hand.
function Update-PublicApi {
    $projects = @(Get-PublicApiProjects)
    foreach ($project in $projects) {
        Set-Content -Path (Join-Path (Split-Path $project) 'PublicAPI.Unshipped.txt') -Value '#nullable enable'
    }
    $found = @{}
    foreach ($project in $projects) {
        Write-Step "public API of $(Split-Path $project -Leaf)"
        $output = & dotnet build $project -c Release -v:minimal -nologo '-p:TreatWarningsAsErrors=false' 2>&1
        $built = $LASTEXITCODE -eq 0
        foreach ($line in $output) {
            if ("$line" -match "warning RS0016: Symbol '(?<api>.+)' is not part of the declared public API.*\[(?<project>[^\]]+\.csproj)") {
                $key = [IO.Path]::GetFullPath($Matches['project'])
                if (-not $found.ContainsKey($key)) { $found[$key] = [Collections.Generic.HashSet[string]]::new([StringComparer]::Ordinal) }
                $null = $found[$key].Add($Matches['api'])
            }
        }
        if (-not $built) {
            $output | Select-String -Pattern ': error ' | Select-Object -First 20 | ForEach-Object { Write-Host $_ }
            throw "building $project failed; the public API files are left as they were written so far"
        }
    }
    foreach ($project in $projects) {
        $key = [IO.Path]::GetFullPath($project)
        $lines = if ($found.ContainsKey($key)) { [string[]]@($found[$key]) } else { [string[]]@() }
        [Array]::Sort($lines, [StringComparer]::Ordinal)
        Set-Content -Path (Join-Path (Split-Path $project) 'PublicAPI.Unshipped.txt') -Value (@('#nullable enable') + $lines)
        Write-Step "$(Split-Path $project -Leaf): $($lines.Count) unshipped API lines"
    }
}

$Rest = @($Rest | Where-Object { $_ -ne '--' })
switch ($Task) {
    'format' {
        if (-not (Invoke-Format $false)) { exit 1 }
    }
    'publicapi' {
        Update-PublicApi
    }
    'prereqs' {
        $null = Install-DebianPackages (Get-TestPackages) 'the native engines and the S3 tests'
        Install-S3rver
    }
    'native' {
        Build-Native (Install-DebianPackages $NativePackages 'the native engines')
    }
    'build' {
        Build-Native (Install-DebianPackages $NativePackages 'the native engines')
        Invoke-Dotnet @('build', 'NativeHnsw.sln', '-c', 'Release')
    }
    'test' {
        $native = Install-DebianPackages (Get-TestPackages) 'the native engines and the S3 tests'
        Install-S3rver
        Build-Native $native
        Write-Step 'building (Release)'
        Invoke-Dotnet @('build', 'NativeHnsw.sln', '-c', 'Release', '-v:minimal')
        Write-Step 'checking the formatting (dotnet format whitespace, style --verify-no-changes)'
        if (-not (Invoke-Format $true)) {
            Write-Host 'format: FAILED: the tree is not formatted as .editorconfig says; run `dotnet pwsh ./build.ps1 format` and commit the result'
            exit 1
        }
        Write-Step 'testing'
        $plain = [Console]::IsOutputRedirected -or $env:CI -eq 'true'
        $testArgs = @('test', '-c', 'Release', '--no-build')
        if ($plain) { $testArgs += @('--no-ansi', '--progress', 'off') }
        Invoke-Dotnet ($testArgs + $Rest)
    }
    'bench' {
        Build-Native (Install-DebianPackages $NativePackages 'the native engines')
        $benchArgs = @('run', '-c', 'Release', '--project', 'bench/NativeHnsw.Bench')
        if ($Rest.Count -gt 0) { $benchArgs += @('--') + $Rest }
        Invoke-Dotnet $benchArgs
    }
    'bdn' {
        Build-Native (Install-DebianPackages $NativePackages 'the native engines')
        $bdnArgs = @('run', '-c', 'Release', '--project', 'bench/NativeHnsw.Bench', '--', 'bdn')
        $bdnArgs += $(if ($Rest.Count -gt 0) { $Rest } else { @('--filter', '*') })
        Invoke-Dotnet $bdnArgs
    }
}
exit 0
