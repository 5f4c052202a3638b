# Thin wrapper over the dotnet and cmake commands the README names; every real step lives there.
param(
    [ValidateSet('build', 'test', 'bench', 'bdn', 'native')]
    [string]$Task = 'build'
)
$ErrorActionPreference = 'Stop'
Set-Location $PSScriptRoot
switch ($Task) {
    'build'  { dotnet build NativeHnsw.sln -c Release }
    'test'   { dotnet test -c Release }
    'bench'  { dotnet run -c Release --project bench/NativeHnsw.Bench }
    'bdn'    { dotnet run -c Release --project bench/NativeHnsw.Bench -- bdn --filter '*' }
    'native' {
        cmake -S native -B native/build -DCMAKE_BUILD_TYPE=Release
        cmake --build native/build --config Release --parallel
    }
}
exit $LASTEXITCODE
